"""Welsh for the deliberation app's catalogue (written by the developers; needs review).

Run ``python locale/welsh.py`` from ``src/minipublic/web/deliberation`` after
``makemessages`` to fill every ``msgstr`` of ``locale/cy/LC_MESSAGES/django.po``.
"""

CY = {
    "Choose a length between 40 and 1000 characters.": "Dewiswch hyd rhwng 40 a 1000 nod.",
    "Choose at least 1.": "Dewiswch 1 o leiaf.",
    "Choose strict or permissive moderation.": "Dewiswch gymedroli caeth neu oddefgar.",
    "Choose agree, disagree or pass.": "Dewiswch cytuno, anghytuno neu basio.",
    "This statement cannot be voted on.": "Does dim modd pleidleisio ar y datganiad hwn.",
    "Write at least %(n)d characters.": "Ysgrifennwch o leiaf %(n)d nod.",
    "Keep it to %(max)d characters (this one has %(n)d).": "Cadwch ef o fewn %(max)d nod (mae gan hwn %(n)d).",
    "This statement is already in the conversation.": "Mae’r datganiad hwn yn y sgwrs yn barod.",
    "Choose accept or reject.": "Dewiswch derbyn neu wrthod.",
    "Say why the statement is rejected.": "Dywedwch pam mae’r datganiad yn cael ei wrthod.",
    "This statement was merged into another.": "Cafodd y datganiad hwn ei gyfuno ag un arall.",
    "Choose a statement of this conversation.": "Dewiswch ddatganiad o’r sgwrs hon.",
    "A statement cannot be merged into itself.": "Does dim modd cyfuno datganiad ag ef ei hun.",
    "People have already voted on this statement, so it cannot be changed.": "Mae pobl wedi pleidleisio ar y datganiad hwn yn barod, felly does dim modd ei newid.",
    "You can only change your own statements.": "Dim ond eich datganiadau eich hun y gallwch eu newid.",
    "Refreshing the opinion map": "Yn diweddaru’r map barn",
    "The list of criteria is closed.": "Mae’r rhestr meini prawf ar gau.",
    "Write the criterion in a few words.": "Ysgrifennwch y maen prawf mewn ychydig eiriau.",
    "Keep it to 200 characters.": "Cadwch ef o fewn 200 nod.",
    "This criterion is already on the list.": "Mae’r maen prawf hwn ar y rhestr yn barod.",
    "Choose at least one criterion for the list.": "Dewiswch o leiaf un maen prawf ar gyfer y rhestr.",
    "Keep the list short: at most 12 criteria.": "Cadwch y rhestr yn fyr: 12 maen prawf ar y mwyaf.",
    "Give the proposal a title.": "Rhowch deitl i’r cynnig.",
    "Proposals are scored against the agreed criteria only.": "Dim ond yn erbyn y meini prawf y cytunwyd arnynt y caiff cynigion eu sgorio.",
    "This criterion belongs to another conversation.": "Mae’r maen prawf hwn yn perthyn i sgwrs arall.",
    "Choose meets, partly or does not meet.": "Dewiswch yn ei fodloni, yn rhannol neu ddim yn ei fodloni.",
    "Say why, so the group can ask what would make it work for you.": "Dywedwch pam, fel y gall y grŵp ofyn beth fyddai’n gwneud iddo weithio i chi.",
    "Members have already answered.": "Mae aelodau wedi ateb yn barod.",
    "Give between 20 and 50 considerations, one a line.": "Rhowch rhwng 20 a 50 o ystyriaethau, un ar bob llinell.",
    "Give between 3 and 7 options, one a line.": "Rhowch rhwng 3 a 7 o ddewisiadau, un ar bob llinell.",
    "Choose closed, before or after.": "Dewiswch ar gau, cyn neu ar ôl.",
    "Set the considerations and options first.": "Gosodwch yr ystyriaethau a’r dewisiadau yn gyntaf.",
    "The survey is closed.": "Mae’r arolwg ar gau.",
    "Rate every consideration from %(lo)d to %(hi)d.": "Rhowch sgôr o %(lo)d i %(hi)d i bob ystyriaeth.",
    "Give every option a different place, 1 for your first choice.": "Rhowch le gwahanol i bob dewis, 1 ar gyfer eich dewis cyntaf.",
    "Computing the Deliberative Reason Index": "Yn cyfrifo’r Mynegai Rheswm Trafodol",
    "Deliberation": "Trafod",
    "Vote on statements": "Pleidleisio ar ddatganiadau",
    "Agree, disagree or pass on what people have said, and add your own.": "Cytunwch, anghytunwch neu pasiwch ar yr hyn mae pobl wedi’i ddweud, ac ychwanegwch eich rhai eich hun.",
    "The opinion map": "Y map barn",
    "Where people agree and where they differ, updated as votes come in.": "Lle mae pobl yn cytuno a lle maen nhw’n wahanol, wedi’i ddiweddaru wrth i bleidleisiau ddod i mewn.",
    "Strict: a statement is shown only after a facilitator accepts it": "Caeth: dim ond ar ôl i hwylusydd ei dderbyn y dangosir datganiad",
    "Permissive: a statement is shown at once unless rejected": "Goddefgar: dangosir datganiad ar unwaith oni bai ei fod yn cael ei wrthod",
    "what the statements are about": "beth yw pwnc y datganiadau",
    "moderation": "cymedroli",
    "open for members' votes and statements": "ar agor i bleidleisiau a datganiadau aelodau",
    "the public may vote and write statements": "caiff y cyhoedd bleidleisio ac ysgrifennu datganiadau",
    "the opinion map is public": "mae’r map barn yn gyhoeddus",
    "longest statement (characters)": "datganiad hiraf (nodau)",
    "refresh the map after this many new votes or statements": "diweddaru’r map ar ôl hyn o bleidleisiau neu ddatganiadau newydd",
    "seed of the map and of routing": "hedyn y map a’r drefn ddangos",
    "source and licence of imported statements": "ffynhonnell a thrwydded y datganiadau a fewnforiwyd",
    "the list of criteria is closed": "mae’r rhestr meini prawf ar gau",
    "meta-consensus survey open for": "arolwg meta-gonsensws ar agor ar gyfer",
    "closed": "ar gau",
    "before deliberation": "cyn trafod",
    "after deliberation": "ar ôl trafod",
    "waiting for moderation": "yn aros i gael ei gymedroli",
    "accepted": "derbyniwyd",
    "rejected": "gwrthodwyd",
    "merged into another statement": "wedi’i gyfuno â datganiad arall",
    "statement": "datganiad",
    "proposed": "cynigiwyd",
    "on the agreed list": "ar y rhestr y cytunwyd arni",
    "not on the list": "nid ar y rhestr",
    "criterion": "maen prawf",
    "title": "teitl",
    "what it proposes": "beth mae’n ei gynnig",
    "meets it": "yn ei fodloni",
    "partly": "yn rhannol",
    "does not meet it": "ddim yn ei fodloni",
    "reason": "rheswm",
    "consideration": "ystyriaeth",
    "option": "dewis",
    "The map appears once enough people have voted.": "Bydd y map yn ymddangos pan fydd digon o bobl wedi pleidleisio.",
    "Map version %(v)s, made %(when)s from %(m)s votes by %(n)s people.": "Fersiwn %(v)s o’r map, a wnaed %(when)s o %(m)s pleidlais gan %(n)s o bobl.",
    "What unites everyone": "Beth sy’n uno pawb",
    "Most people in every group agree with these:": "Mae’r rhan fwyaf o bobl ym mhob grŵp yn cytuno â’r rhain:",
    "%(letter)s: %(a)s%% agree": "%(letter)s: %(a)s%% yn cytuno",
    "These bring people together across the groups (agreement that does not depend on which side someone is on):": "Mae’r rhain yn dod â phobl ynghyd ar draws y grwpiau (cytundeb nad yw’n dibynnu ar ba ochr mae rhywun):",
    "%(a)s%% agree overall": "%(a)s%% yn cytuno i gyd",
    "No statement has clear support in every group yet.": "Does dim datganiad â chefnogaeth glir ym mhob grŵp eto.",
    "What divides": "Beth sy’n rhannu",
    "The groups answer these very differently:": "Mae’r grwpiau’n ateb y rhain yn wahanol iawn:",
    "%(letter)s: %(a)s%% agree, %(d)s%% disagree": "%(letter)s: %(a)s%% yn cytuno, %(d)s%% yn anghytuno",
    "No statement splits the groups sharply.": "Does dim datganiad yn hollti’r grwpiau’n glir.",
    "What each group believes": "Beth mae pob grŵp yn ei gredu",
    "Group %(letter)s (%(n)s people)": "Grŵp %(letter)s (%(n)s o bobl)",
    "%(share)s%% agree that": "mae %(share)s%% yn cytuno bod",
    "%(share)s%% disagree that": "mae %(share)s%% yn anghytuno bod",
    "(%(t)s times as likely as others)": "(%(t)s gwaith mor debygol ag eraill)",
    "(more than 10 times as likely as others)": "(mwy na 10 gwaith mor debygol ag eraill)",
    "You are in group %(letter)s. The black ring on the map shows where your votes put you.": "Rydych yng ngrŵp %(letter)s. Mae’r cylch du ar y map yn dangos ble mae eich pleidleisiau’n eich rhoi.",
    "The black ring on the map shows where your votes put you. Vote on a few more statements to be placed in a group.": "Mae’r cylch du ar y map yn dangos ble mae eich pleidleisiau’n eich rhoi. Pleidleisiwch ar ychydig mwy o ddatganiadau i gael eich rhoi mewn grŵp.",
    "No statement sets this group clearly apart yet.": "Does dim datganiad yn gwahaniaethu’r grŵp hwn yn glir eto.",
    "How to read this map": "Sut i ddarllen y map hwn",
    "Each dot is one voter; people who voted alike are close together. A group is a set of people whose votes look alike on these statements, not a party. A statement “unites” when most people in every group agree; it “divides” when the groups' agreement differs by 40 points or more. Percentages count the votes of people placed in a group.": "Mae pob dot yn un pleidleisiwr; mae pobl a bleidleisiodd yn debyg yn agos at ei gilydd. Mae grŵp yn set o bobl y mae eu pleidleisiau’n debyg ar y datganiadau hyn, nid plaid. Mae datganiad yn “uno” pan fydd y rhan fwyaf o bobl ym mhob grŵp yn cytuno; mae’n “rhannu” pan fydd cytundeb y grwpiau’n wahanol o 40 pwynt neu fwy. Mae’r canrannau’n cyfrif pleidleisiau’r bobl a roddwyd mewn grŵp.",
    "Write your own statement": "Ysgrifennwch eich datganiad eich hun",
    "See the opinion map": "Gweld y map barn",
    "Say what any good proposal must do": "Dywedwch beth mae’n rhaid i unrhyw gynnig da ei wneud",
    "Score the proposals against the agreed criteria": "Sgoriwch y cynigion yn erbyn y meini prawf y cytunwyd arnynt",
    "Answer the short survey on considerations and options": "Atebwch yr arolwg byr ar ystyriaethau a dewisiadau",
    "Statements": "Datganiadau",
    "Moderation": "Cymedroli",
    "Opinion map": "Map barn",
    "Room view": "Golwg yr ystafell",
    "Value mapping": "Mapio gwerthoedd",
    "Criteria": "Meini prawf",
    "Proposals": "Cynigion",
    "Heat map": "Map gwres",
    "Meta-consensus": "Meta-gonsensws",
    "Moderation: strict": "Cymedroli: caeth",
    "Moderation: permissive": "Cymedroli: goddefgar",
    "A facilitator reads every new statement before anyone else sees it. Statements are accepted unless they are abusive, reveal personal details, are off the topic, or repeat a statement already here (then they are merged).": "Mae hwylusydd yn darllen pob datganiad newydd cyn i neb arall ei weld. Caiff datganiadau eu derbyn oni bai eu bod yn sarhaus, yn datgelu manylion personol, yn crwydro o’r pwnc, neu’n ailadrodd datganiad sydd yma’n barod (yna cânt eu cyfuno).",
    "New statements are shown at once. Facilitators remove statements that are abusive, reveal personal details or are off the topic, and merge repeats. Every decision and its reason is kept in a moderation log.": "Dangosir datganiadau newydd ar unwaith. Mae hwyluswyr yn tynnu datganiadau sy’n sarhaus, yn datgelu manylion personol neu’n crwydro o’r pwnc, ac yn cyfuno rhai sy’n ailadrodd. Cedwir pob penderfyniad a’i reswm mewn log cymedroli.",
    "A statement can be up to %(n)s characters. It can be changed only until the first vote on it. Statements written by participants are labelled as such.": "Gall datganiad fod hyd at %(n)s nod. Dim ond tan y bleidlais gyntaf arno y gellir ei newid. Mae datganiadau a ysgrifennwyd gan gyfranogwyr wedi’u labelu felly.",
    "Group %(letter)s: %(n)s people": "Grŵp %(letter)s: %(n)s o bobl",
    "What must any good proposal do?": "Beth mae’n rhaid i unrhyw gynnig da ei wneud?",
    "List the criteria a proposal must meet to work for you, and say which belong on the short list. When the assembly agrees the list, the facilitators close it and everyone scores the proposals against it.": "Rhestrwch y meini prawf y mae’n rhaid i gynnig eu bodloni i weithio i chi, a dywedwch pa rai sy’n perthyn i’r rhestr fer. Pan fydd y cynulliad yn cytuno ar y rhestr, bydd yr hwyluswyr yn ei chau a bydd pawb yn sgorio’r cynigion yn ei herbyn.",
    "The list is agreed and closed.": "Mae’r rhestr wedi’i chytuno a’i chau.",
    "See how the proposals meet it": "Gweld sut mae’r cynigion yn ei bodloni",
    "Score the proposals": "Sgorio’r cynigion",
    "A new criterion": "Maen prawf newydd",
    "e.g. It must not raise bills for people on low incomes": "e.e. Rhaid iddo beidio â chodi biliau pobl ar incwm isel",
    "Add": "Ychwanegu",
    "Criteria and support": "Meini prawf a chefnogaeth",
    "On the list": "Ar y rhestr",
    "Criterion": "Maen prawf",
    "Must be on the list": "Rhaid iddo fod ar y rhestr",
    "Not needed": "Dim angen",
    "Your view": "Eich barn",
    "Status": "Statws",
    "Put “%(t)s” on the list": "Rhoi “%(t)s” ar y rhestr",
    "Must": "Rhaid",
    "No criteria yet.": "Dim meini prawf eto.",
    "Agree the ticked criteria and close the list": "Cytuno ar y meini prawf a diciwyd a chau’r rhestr",
    "Meta-consensus: the Deliberative Reason Index": "Meta-gonsensws: y Mynegai Rheswm Trafodol",
    "Members rate the considerations and rank the options before and after deliberating. The index (DRI) asks whether people who weigh the considerations alike also rank the options alike: whether their preferences follow from their reasons. It runs from −1 to 1; higher is more consistent. Deliberation is expected to raise it.": "Mae aelodau’n sgorio’r ystyriaethau ac yn trefnu’r dewisiadau cyn ac ar ôl trafod. Mae’r mynegai (DRI) yn gofyn a yw pobl sy’n pwyso’r ystyriaethau’n debyg hefyd yn trefnu’r dewisiadau’n debyg: a yw eu dewisiadau’n dilyn o’u rhesymau. Mae’n rhedeg o −1 i 1; mae uwch yn fwy cyson. Disgwylir i drafod ei godi.",
    "considerations": "ystyriaethau",
    "options": "dewisiadau",
    "answered before": "atebodd cyn",
    "answered after": "atebodd ar ôl",
    "Results": "Canlyniadau",
    "Stage": "Cam",
    "DRI": "DRI",
    "Members": "Aelodau",
    "Pairs": "Parau",
    "Pairs left out": "Parau a adawyd allan",
    "Chance (p-value)": "Siawns (gwerth-p)",
    "before": "cyn",
    "after": "ar ôl",
    "Stage “%(stage)s”: DRI %(dri)s. Compared with answers whose ratings were shuffled at random, this is %(words)s.": "Cam “%(stage)s”: DRI %(dri)s. O’i gymharu ag atebion y cafodd eu sgoriau eu cymysgu ar hap, mae hyn yn %(words)s.",
    "Change from before to after: %(c)s. That rise is %(words)s.": "Newid o’r cyn i’r ar ôl: %(c)s. Mae’r codiad hwnnw’n %(words)s.",
    "Why say this: even ratings tagged to the considerations at random can give a DRI above zero, so a positive DRI alone proves little. The p-value is the share of 1 000 random shuffles of each member's ratings that give a DRI (or a rise) at least as high.": "Pam dweud hyn: gall hyd yn oed sgoriau a gysylltwyd â’r ystyriaethau ar hap roi DRI uwch na sero, felly ychydig y mae DRI positif ar ei ben ei hun yn ei brofi. Y gwerth-p yw’r gyfran o 1 000 o gymysgiadau ar hap o sgoriau pob aelod sy’n rhoi DRI (neu godiad) o leiaf mor uchel.",
    "Seed %(seed)s, %(n)s shuffles: the same seed gives the same numbers.": "Hedyn %(seed)s, %(n)s o gymysgiadau: mae’r un hedyn yn rhoi’r un rhifau.",
    "Run %(n)s.": "Rhediad %(n)s.",
    "Pairs are left out when a member gave every item the same rating (no correlation can be computed).": "Gadewir parau allan pan roddodd aelod yr un sgôr i bob eitem (does dim modd cyfrifo cydberthyniad).",
    "No result yet.": "Dim canlyniad eto.",
    "Compute": "Cyfrifo",
    "Seed (leave empty for a random one, which is kept)": "Hedyn (gadewch yn wag am un ar hap, a gaiff ei gadw)",
    "Compute the DRI": "Cyfrifo’r DRI",
    "The survey": "Yr arolwg",
    "Open the survey for": "Agor yr arolwg ar gyfer",
    "Save": "Cadw",
    "Considerations (20 to 50, one a line)": "Ystyriaethau (20 i 50, un ar bob llinell)",
    "Options (3 to 7, one a line)": "Dewisiadau (3 i 7, un ar bob llinell)",
    "Save considerations and options": "Cadw’r ystyriaethau a’r dewisiadau",
    "Change your statement": "Newid eich datganiad",
    "You can change it until someone votes on it.": "Gallwch ei newid nes bydd rhywun yn pleidleisio arno.",
    "Back": "Yn ôl",
    "Where the objections lie": "Ble mae’r gwrthwynebiadau",
    "Each cell counts how many members said the proposal meets the criterion, partly meets it, or does not. The darker and more orange the cell, the more objections; the reasons are listed under the counts. Ask the people who objected: what would make this work for you?": "Mae pob cell yn cyfrif faint o aelodau a ddywedodd fod y cynnig yn bodloni’r maen prawf, yn ei fodloni’n rhannol, neu ddim. Po dywyllaf a mwyaf oren y gell, mwyaf o wrthwynebiadau; rhestrir y rhesymau o dan y cyfrifon. Gofynnwch i’r bobl a wrthwynebodd: beth fyddai’n gwneud i hyn weithio i chi?",
    "few objections": "ychydig o wrthwynebiadau",
    "some": "rhai",
    "many": "llawer",
    "no scores yet": "dim sgoriau eto",
    "The heat map appears when the list of criteria is agreed.": "Bydd y map gwres yn ymddangos pan gytunir ar y rhestr meini prawf.",
    "Proposals against agreed criteria": "Cynigion yn erbyn y meini prawf y cytunwyd arnynt",
    "Proposal": "Cynnig",
    "%(m)s meets · %(p)s partly · %(n)s not": "%(m)s yn bodloni · %(p)s yn rhannol · %(n)s ddim",
    "accepted statements": "datganiadau a dderbyniwyd",
    "votes": "pleidleisiau",
    "voters": "pleidleiswyr",
    "Moderation is strict: nothing is shown until a facilitator accepts it.": "Mae’r cymedroli’n gaeth: ni ddangosir dim nes bydd hwylusydd yn ei dderbyn.",
    "Moderation is permissive: statements are shown at once unless rejected.": "Mae’r cymedroli’n oddefgar: dangosir datganiadau ar unwaith oni bai eu bod yn cael eu gwrthod.",
    "The public may vote.": "Caiff y cyhoedd bleidleisio.",
    "Only members vote.": "Dim ond aelodau sy’n pleidleisio.",
    "The opinion map is public.": "Mae’r map barn yn gyhoeddus.",
    "The voting page": "Y dudalen bleidleisio",
    "Public link:": "Dolen gyhoeddus:",
    "Current version: %(v)s. The map is recomputed in the background after %(n)s new votes or statements, or when you ask.": "Fersiwn gyfredol: %(v)s. Caiff y map ei ailgyfrifo yn y cefndir ar ôl %(n)s o bleidleisiau neu ddatganiadau newydd, neu pan fyddwch yn gofyn.",
    "Refresh the map now": "Diweddaru’r map nawr",
    "Add a statement": "Ychwanegu datganiad",
    "Statements added here are accepted at once and are not labelled as written by a participant.": "Caiff datganiadau a ychwanegir yma eu derbyn ar unwaith ac nid ydynt wedi’u labelu fel rhai a ysgrifennwyd gan gyfranogwr.",
    "Settings": "Gosodiadau",
    "Save settings": "Cadw’r gosodiadau",
    "A newer map is ready.": "Mae map mwy newydd yn barod.",
    "Show it": "Ei ddangos",
    "Statement %(id)s": "Datganiad %(id)s",
    "By member %(who)s": "Gan aelod %(who)s",
    "By a member of the public": "Gan aelod o’r cyhoedd",
    "Looks like:": "Yn debyg i:",
    "Accept": "Derbyn",
    "Reason for rejecting": "Rheswm dros wrthod",
    "Reject": "Gwrthod",
    "Merge into statement number": "Cyfuno â datganiad rhif",
    "Merge": "Cyfuno",
    "Change the wording (only before the first vote)": "Newid y geiriad (dim ond cyn y bleidlais gyntaf)",
    "Save wording": "Cadw’r geiriad",
    "Nothing is waiting.": "Does dim yn aros.",
    "Recently decided": "Penderfynwyd yn ddiweddar",
    "Number": "Rhif",
    "Statement": "Datganiad",
    "Votes": "Pleidleisiau",
    "Change": "Newid",
    "Written by a participant": "Ysgrifennwyd gan gyfranogwr",
    "Moderation log": "Log cymedroli",
    "Download the whole log (CSV)": "Lawrlwytho’r log cyfan (CSV)",
    "When": "Pryd",
    "Who": "Pwy",
    "What": "Beth",
    "Why": "Pam",
    "The proposals members will score against the agreed criteria.": "Y cynigion y bydd aelodau’n eu sgorio yn erbyn y meini prawf y cytunwyd arnynt.",
    "No proposals yet.": "Dim cynigion eto.",
    "Add a proposal": "Ychwanegu cynnig",
    "Title": "Teitl",
    "What it proposes": "Beth mae’n ei gynnig",
    "The criteria are not agreed yet.": "Nid yw’r meini prawf wedi’u cytuno eto.",
    "Help agree them": "Helpu i’w cytuno",
    "For each proposal, say whether it meets each agreed criterion. If it does not, or only partly, say why: what would make it work for you?": "Ar gyfer pob cynnig, dywedwch a yw’n bodloni pob maen prawf y cytunwyd arno. Os nad yw, neu dim ond yn rhannol, dywedwch pam: beth fyddai’n gwneud iddo weithio i chi?",
    "Why (needed unless it meets it)": "Pam (angenrheidiol oni bai ei fod yn ei fodloni)",
    "Save my scores for this proposal": "Cadw fy sgoriau ar gyfer y cynnig hwn",
    "See everyone's scores": "Gweld sgoriau pawb",
    "No statement conversation has been started for this assembly yet.": "Does dim sgwrs ddatganiadau wedi’i dechrau ar gyfer y cynulliad hwn eto.",
    "Start the conversation": "Dechrau’r sgwrs",
    "The organiser starts it.": "Y trefnydd sy’n ei dechrau.",
    "Considerations and options": "Ystyriaethau a dewisiadau",
    "The survey is not open now.": "Nid yw’r arolwg ar agor nawr.",
    "Before the deliberation:": "Cyn y trafod:",
    "After the deliberation:": "Ar ôl y trafod:",
    "rate how much each consideration matters to you (%(lo)s = not at all, %(hi)s = very much), then put the options in your order of preference (1 = your first choice).": "rhowch sgôr i ba mor bwysig yw pob ystyriaeth i chi (%(lo)s = dim o gwbl, %(hi)s = yn fawr iawn), yna rhowch y dewisiadau yn nhrefn eich dewis (1 = eich dewis cyntaf).",
    "You have answered. You can change your answers until the survey closes.": "Rydych wedi ateb. Gallwch newid eich atebion nes bydd yr arolwg yn cau.",
    "Considerations": "Ystyriaethau",
    "Options": "Dewisiadau",
    "Save my answers": "Cadw fy atebion",
    "Each pair puts side by side a statement one group agrees with and the other mostly rejects, and the reverse. An exercise: ask someone from each group to state the other side's statement in its strongest form and say what value it protects, then look for a proposal that serves both values.": "Mae pob pâr yn rhoi ochr yn ochr ddatganiad y mae un grŵp yn cytuno ag ef a’r llall yn ei wrthod gan amlaf, a’r gwrthwyneb. Ymarfer: gofynnwch i rywun o bob grŵp fynegi datganiad yr ochr arall yn ei ffurf gryfaf a dweud pa werth mae’n ei warchod, yna chwiliwch am gynnig sy’n gwasanaethu’r ddau werth.",
    "The pairs appear once the opinion map has been computed.": "Bydd y parau’n ymddangos pan fydd y map barn wedi’i gyfrifo.",
    "No pair of groups disagrees sharply enough on their most typical statements yet.": "Does dim pâr o grwpiau’n anghytuno’n ddigon clir ar eu datganiadau mwyaf nodweddiadol eto.",
    "Groups %(a)s and %(b)s": "Grwpiau %(a)s a %(b)s",
    "Group %(g)s holds": "Mae grŵp %(g)s yn credu",
    "%(a)s%% of group %(g)s agree; %(b)s%% of group %(h)s.": "Mae %(a)s%% o grŵp %(g)s yn cytuno; %(b)s%% o grŵp %(h)s.",
    "You have voted on every statement for now. Come back later for new ones, or write your own.": "Rydych wedi pleidleisio ar bob datganiad am y tro. Dewch yn ôl yn nes ymlaen am rai newydd, neu ysgrifennwch eich un eich hun.",
    "Saved on this device; it will be sent when you are back online.": "Wedi’i gadw ar y ddyfais hon; caiff ei anfon pan fyddwch ar-lein eto.",
    "Statement %%(n)s of %%(total)s": "Datganiad %%(n)s o %%(total)s",
    "Statement %(n)s of %(total)s": "Datganiad %(n)s o %(total)s",
    "You are signed in as staff. Staff do not vote: this is what voters see.": "Rydych wedi mewngofnodi fel staff. Nid yw staff yn pleidleisio: dyma beth mae pleidleiswyr yn ei weld.",
    "Your vote": "Eich pleidlais",
    "Agree": "Cytuno",
    "Disagree": "Anghytuno",
    "Pass / unsure": "Pasio / ansicr",
    "Keyboard: A agree, D disagree, P pass.": "Bysellfwrdd: A cytuno, D anghytuno, P pasio.",
    "You vote anonymously. This browser keeps a random number in a cookie so that it votes once per statement; no name or address is stored.": "Rydych yn pleidleisio’n ddienw. Mae’r porwr hwn yn cadw rhif ar hap mewn cwci fel ei fod yn pleidleisio unwaith ar bob datganiad; ni chedwir enw na chyfeiriad.",
    "Write a statement": "Ysgrifennu datganiad",
    "One clear idea that others can agree or disagree with, in your own words.": "Un syniad clir y gall eraill gytuno neu anghytuno ag ef, yn eich geiriau eich hun.",
    "Something very like this is already here": "Mae rhywbeth tebyg iawn i hyn yma’n barod",
    "You could vote on the existing statement instead. If yours says something different, submit it anyway.": "Gallech bleidleisio ar y datganiad sy’n bodoli yn lle hynny. Os yw eich un chi’n dweud rhywbeth gwahanol, cyflwynwch ef beth bynnag.",
    "Vote on this one instead": "Pleidleisio ar hwn yn lle hynny",
    "Up to %(n)s characters.": "Hyd at %(n)s nod.",
    "Submit mine anyway": "Cyflwyno fy un i beth bynnag",
    "Submit": "Cyflwyno",
    "Your statements": "Eich datganiadau",
    "Change it": "Ei newid",
    "Back to voting": "Yn ôl i bleidleisio",
    "Your statement": "Eich datganiad",
    "Staff do not vote. Sign in with a member link to vote.": "Nid yw staff yn pleidleisio. Mewngofnodwch gyda dolen aelod i bleidleisio.",
    "Open the voting page first, then vote.": "Agorwch y dudalen bleidleisio yn gyntaf, yna pleidleisiwch.",
    "Too many votes in a minute from this browser. Wait a moment.": "Gormod o bleidleisiau mewn munud o’r porwr hwn. Arhoswch ennyd.",
    "Staff add statements on the Deliberation tab.": "Mae staff yn ychwanegu datganiadau ar y tab Trafod.",
    "Open the voting page first, then write.": "Agorwch y dudalen bleidleisio yn gyntaf, yna ysgrifennwch.",
    "This browser has written 5 statements in the last hour. Wait a while.": "Mae’r porwr hwn wedi ysgrifennu 5 datganiad yn yr awr ddiwethaf. Arhoswch am ychydig.",
    "Thank you. A facilitator will read it before others see it.": "Diolch. Bydd hwylusydd yn ei ddarllen cyn i eraill ei weld.",
    "Thank you. Others can now vote on it.": "Diolch. Gall eraill bleidleisio arno nawr.",
    "Statement changed.": "Newidiwyd y datganiad.",
    "A refresh is already waiting to run.": "Mae diweddariad yn aros i redeg yn barod.",
    "What should people write statements about?": "Am beth ddylai pobl ysgrifennu datganiadau?",
    "The statement conversation is ready.": "Mae’r sgwrs ddatganiadau’n barod.",
    "Settings saved.": "Cadwyd y gosodiadau.",
    "Statement added.": "Ychwanegwyd y datganiad.",
    "Statement %(id)s merged.": "Cyfunwyd datganiad %(id)s.",
    "Statement %(id)s changed.": "Newidiwyd datganiad %(id)s.",
    "Statement %(id)s: %(status)s.": "Datganiad %(id)s: %(status)s.",
    "Statement %(id)s: %(msg)s": "Datganiad %(id)s: %(msg)s",
    "Criterion added.": "Ychwanegwyd y maen prawf.",
    "Your view is saved.": "Cadwyd eich barn.",
    "The list of criteria is agreed and closed.": "Mae’r rhestr meini prawf wedi’i chytuno a’i chau.",
    "Proposal added.": "Ychwanegwyd y cynnig.",
    "Your scores for “%(title)s” are saved.": "Cadwyd eich sgoriau ar gyfer “%(title)s”.",
    "Thank you: your answers are saved.": "Diolch: cadwyd eich atebion.",
    "Survey stage saved.": "Cadwyd cam yr arolwg.",
    "Considerations and options saved.": "Cadwyd yr ystyriaethau a’r dewisiadau.",
    "not computed": "heb ei gyfrifo",
    "very unlikely to be chance (fewer than 1 in 100 random shuffles do as well)": "annhebygol iawn o fod yn siawns (mae llai nag 1 o bob 100 cymysgiad ar hap yn gwneud cystal)",
    "unlikely to be chance (fewer than 5 in 100 random shuffles do as well)": "annhebygol o fod yn siawns (mae llai na 5 o bob 100 cymysgiad ar hap yn gwneud cystal)",
    "could well be chance (%(n)d in 100 random shuffles do as well or better)": "gallai’n hawdd fod yn siawns (mae %(n)d o bob 100 cymysgiad ar hap yn gwneud cystal neu’n well)",
}

# Plurals: Welsh has four forms here (n==1, n==2, n in 3/6, other) in Django's header.
CY_PLURAL = {
    "One dot per voter; people who voted alike are close together. %(n)s opinion group, described below.": [
        "Un dot i bob pleidleisiwr; mae pobl a bleidleisiodd yn debyg yn agos at ei gilydd. %(n)s grŵp barn, a ddisgrifir isod.",
    ]
    * 4,
    "%(n)s statement waiting": ["%(n)s datganiad yn aros"] * 4,
    "%(n)s vote": ["%(n)s pleidlais"] * 4,
}


def fill(path: str) -> int:
    """Write the Welsh into *path*; return how many entries are still missing."""
    import ast
    from pathlib import Path

    lines = Path(path).read_text(encoding="utf-8").split("\n")
    out, i, missing = [], 0, 0
    while i < len(lines):
        line = lines[i]
        if (
            line.startswith("msgid ")
            and line != 'msgid ""'
            or (
                line == 'msgid ""'
                and i + 1 < len(lines)
                and lines[i + 1].startswith('"')
                and out
                and out[-1].startswith("#")
            )
        ):
            msgid = ast.literal_eval(line[6:])
            out.append(line)
            i += 1
            while lines[i].startswith('"'):
                msgid += ast.literal_eval(lines[i])
                out.append(lines[i])
                i += 1
            plural = None
            if lines[i].startswith("msgid_plural "):
                plural = ast.literal_eval(lines[i][13:])
                out.append(lines[i])
                i += 1
                while lines[i].startswith('"'):
                    plural += ast.literal_eval(lines[i])
                    out.append(lines[i])
                    i += 1
            # skip the old msgstr lines
            while i < len(lines) and (lines[i].startswith("msgstr") or lines[i].startswith('"')):
                i += 1
            if plural is None:
                text = CY.get(msgid)
                if text is None:
                    missing += 1
                    print("missing:", msgid)
                    text = ""
                out.append("msgstr " + _quote(text))
            else:
                forms = CY_PLURAL.get(msgid)
                if forms is None:
                    missing += 1
                    print("missing plural:", msgid)
                    forms = [""] * 4
                for k, form in enumerate(forms):
                    out.append(f"msgstr[{k}] " + _quote(form))
            continue
        out.append(line)
        i += 1
    text = "\n".join(out)
    text = text.replace("#, fuzzy\n", "")
    Path(path).write_text(text, encoding="utf-8")
    return missing


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    import sys

    sys.exit(1 if fill("locale/cy/LC_MESSAGES/django.po") else 0)
