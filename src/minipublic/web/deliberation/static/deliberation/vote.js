/* Statement voting: one statement at a time, votes sent one by one.
   A vote that cannot be sent (offline, server busy) is kept in localStorage
   and sent again later; the page keeps a small queue of next statements so
   voting goes on while the network is slow. Without JS the form posts and
   the server shows the next statement. */
(function () {
  "use strict";
  var root = document.getElementById("voting");
  var form = document.getElementById("vote-form");
  if (!root) { return; }
  var key = root.dataset.storageKey;
  var castUrl = root.dataset.castUrl;
  var nextUrl = root.dataset.nextUrl;
  var text = document.getElementById("statement-text");
  var label = document.getElementById("statement-label");
  var hidden = document.getElementById("vote-statement");
  var progress = document.getElementById("vote-progress");
  var note = document.getElementById("queue-note");
  var done = document.getElementById("vote-done");
  var queue = [];
  var voted = 0;
  var total = 0;
  var sending = false;
  var retryTimer = null;

  function loadPending() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function savePending(list) {
    try { window.localStorage.setItem(key, JSON.stringify(list)); } catch (e) { /* storage full or off */ }
  }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function showNote(on) {
    if (!note) { return; }
    note.hidden = !on;
    note.textContent = on ? root.dataset.queuedText : "";
  }
  function flush() {
    if (sending) { return; }
    var pending = loadPending();
    if (!pending.length) { showNote(false); return; }
    sending = true;
    var item = pending[0];
    var body = new FormData();
    body.append("statement", item.statement);
    body.append("vote", item.vote);
    body.append("csrfmiddlewaretoken", csrf());
    fetch(castUrl, {method: "POST", body: body, credentials: "same-origin",
                    headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        sending = false;
        if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408)) {
          // Stored, or refused for good (statement withdrawn): either way, drop it.
          var rest = loadPending().filter(function (p) { return !(p.statement === item.statement); });
          savePending(rest);
          flush();
        } else { retryLater(); }
      })
      .catch(function () { sending = false; retryLater(); });
  }
  function retryLater() {
    showNote(true);
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 5000);
  }
  function pendingIds() {
    return loadPending().map(function (p) { return p.statement; });
  }
  function fill(callback) {
    var skip = pendingIds();
    if (hidden && hidden.value) { skip.push(hidden.value); }
    queue.forEach(function (s) { skip.push(String(s.id)); });
    fetch(nextUrl + "?skip=" + skip.join(","), {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var known = {};
        queue.forEach(function (s) { known[s.id] = true; });
        data.statements.forEach(function (s) { if (!known[s.id]) { queue.push(s); } });
        voted = data.voted + loadPending().length;
        total = data.total;
        if (callback) { callback(); }
      })
      .catch(function () { if (callback) { callback(); } });
  }
  function render() {
    var next = queue.shift();
    if (!next) {
      if (form) { form.hidden = true; }
      if (progress) { progress.textContent = ""; }
      if (done) { done.hidden = false; done.textContent = root.dataset.doneText; }
      return;
    }
    hidden.value = next.id;
    text.textContent = next.text;
    if (label) { label.hidden = !next.by_participant; }
    if (progress && total) {
      progress.textContent = root.dataset.progressText
        .replace("%(n)s", Math.min(voted + 1, total)).replace("%(total)s", total);
    }
    if (queue.length < 3) { fill(null); }
  }
  function castVote(value) {
    if (!hidden || !hidden.value) { return; }
    var pending = loadPending();
    pending.push({statement: hidden.value, vote: value});
    savePending(pending);
    voted += 1;
    flush();
    if (queue.length) { render(); } else { fill(render); }
  }
  if (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.value) { return; }
      event.preventDefault();
      castVote(button.value);
      var first = form.querySelector("button.vote");
      if (first && document.activeElement === button) { button.blur(); first.focus(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select") { return; }
      var map = {a: "agree", d: "disagree", p: "pass"};
      var value = map[(event.key || "").toLowerCase()];
      if (value && !form.hidden && form.querySelector("button.vote")) { event.preventDefault(); castVote(value); }
    });
    fill(null);
  }
  window.addEventListener("online", flush);
  flush();
}());
