// A video call from a tablet, ringing for the signed-in person, on any console page
// (docs/calls.md): long-polls GET /calls/incoming?wait=25 and shows the banner of base.html
// (« Jeanne vous appelle », « Décrocher », « Refuser ») with a ring made by WebAudio.
// - Backs off on errors (1 s, 2 s, 4 s… up to a minute, with jitter), stops when the tab is
//   hidden and polls again at once when it is shown: a hidden tab costs the server nothing.
// - While a call rings it asks every 2 s without waiting (the server answers at once while a
//   call rings): that is how the banner learns the call stopped ringing (given up, timed out).
// - The ring never fails a page: a browser that blocks autoplay keeps the AudioContext
//   suspended (no sound until the person touches the page), and any WebAudio error is ignored.
"use strict";
(function () {
  var banner = document.getElementById("incoming-call");
  if (!banner || !window.fetch || !window.JSON) return;

  var WAIT_SECONDS = 25;
  var WHILE_RINGING_MS = 2000;
  var MAX_BACKOFF_MS = 60000;

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var title = banner.querySelector(".incoming-title");
  var error = banner.querySelector(".incoming-error");
  var answer = banner.querySelector(".answer");
  var refuse = banner.querySelector(".refuse");
  var calling = banner.getAttribute("data-calling") || "{name}";

  var shown = null;          // the call the banner shows
  var refused = {};          // calls refused here: never shown again
  var errors = 0;
  var timer = null;
  var expiry = null;         // hides the banner when the call's ringing time is over
  var inFlight = null;       // the AbortController of the running request
  var stopped = false;       // signed out: no more polling
  var focusBefore = null;

  // --- the ring ------------------------------------------------------------------------------
  var audio = null;
  var ringTimer = null;

  function audioContext() {
    if (audio) return audio;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    try { audio = new Context(); } catch (e) { audio = null; }
    return audio;
  }

  function tone(ctx, start, frequency, length) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    // A soft attack and release: a ring, not a click.
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.03);
    gain.gain.setValueAtTime(0.25, start + length - 0.05);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(start);
    osc.stop(start + length + 0.02);
  }

  function ringOnce() {
    try {
      var ctx = audioContext();
      if (!ctx) return;
      if (ctx.state === "suspended" && ctx.resume) ctx.resume().catch(function () {});
      var t = ctx.currentTime + 0.05;
      // Two short double beeps, as a telephone rings.
      tone(ctx, t, 880, 0.35);
      tone(ctx, t + 0.45, 660, 0.35);
      tone(ctx, t + 1.0, 880, 0.35);
      tone(ctx, t + 1.45, 660, 0.35);
    } catch (e) { /* no sound rather than a broken page */ }
  }

  function startRing() {
    if (ringTimer) return;
    ringOnce();
    ringTimer = window.setInterval(ringOnce, 3500);
  }

  function stopRing() {
    if (ringTimer) window.clearInterval(ringTimer);
    ringTimer = null;
    if (audio && audio.suspend) audio.suspend().catch(function () {});
  }

  // A browser that blocked the sound lets it play after a touch on the page.
  function unlockAudio() {
    if (shown && audio && audio.state === "suspended") audio.resume().catch(function () {});
  }
  document.addEventListener("pointerdown", unlockAudio, true);
  document.addEventListener("keydown", unlockAudio, true);

  // --- the banner ----------------------------------------------------------------------------
  function nameOf(call) {
    if (call.beneficiary && (call.beneficiary.first_name || call.beneficiary.name)) {
      return call.beneficiary.first_name || call.beneficiary.name;
    }
    return (call.caller && call.caller.name) || "";
  }

  function show(call) {
    var first = shown === null;
    shown = call.id;
    title.textContent = calling.replace("{name}", nameOf(call));
    answer.setAttribute("href", "/calls/" + encodeURIComponent(call.id));
    error.hidden = true;
    refuse.disabled = false;
    banner.hidden = false;
    document.body.classList.add("has-incoming-call");
    if (first) {
      focusBefore = document.activeElement;
      answer.focus();
    }
    if (expiry) window.clearTimeout(expiry);
    expiry = null;
    if (typeof call.ring_seconds_left === "number") {
      // The server's count (the browser's clock may be wrong), plus a second of slack.
      expiry = window.setTimeout(hide, (call.ring_seconds_left + 1) * 1000);
    }
    if (!document.hidden) startRing();
  }

  function hide() {
    var wasShown = shown !== null;
    shown = null;
    if (expiry) window.clearTimeout(expiry);
    expiry = null;
    stopRing();
    banner.hidden = true;
    document.body.classList.remove("has-incoming-call");
    if (wasShown && banner.contains(document.activeElement) && focusBefore && focusBefore.focus) {
      focusBefore.focus();
    }
    focusBefore = null;
  }

  function update(calls) {
    var ringing = (calls || []).filter(function (c) {
      return c && c.state === "ringing" && !refused[c.id];
    });
    if (!ringing.length) { hide(); return false; }
    var current = ringing.filter(function (c) { return c.id === shown; })[0];
    show(current || ringing[0]);
    return true;
  }

  refuse.addEventListener("click", function () {
    var id = shown;
    if (id === null) return;
    refuse.disabled = true;
    fetch("/calls/" + encodeURIComponent(id) + "/refuse", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": csrf },
      body: JSON.stringify({ reason: "refused" })
    }).then(function (response) {
      // 409: the call stopped ringing meanwhile; either way it no longer rings here.
      if (response.ok || response.status === 409 || response.status === 404) {
        refused[id] = true;
        if (shown === id) hide();
        return;
      }
      throw new Error("refuse " + response.status);
    }).catch(function () {
      refuse.disabled = false;
      error.textContent = banner.getAttribute("data-refuse-failed") || "";
      error.hidden = false;
    });
  });

  // --- the long-poll -------------------------------------------------------------------------
  function schedule(ms) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  function backoff() {
    errors += 1;
    var ms = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, errors - 1));
    return ms / 2 + Math.random() * ms / 2;
  }

  function poll() {
    timer = null;
    if (stopped || document.hidden || inFlight) return;
    var controller = window.AbortController ? new AbortController() : {};
    inFlight = controller;
    function done() { if (inFlight === controller) inFlight = null; }
    // While a call shows, ask without waiting (the server would hold the request until the
    // next change, and a call given up before the request would stay on screen).
    fetch("/calls/incoming?wait=" + (shown === null ? WAIT_SECONDS : 0), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: controller.signal
    }).then(function (response) {
      // Signed out (the session expired): the console sends to its login page.
      if (response.redirected || response.status === 401) { stopped = true; return null; }
      if (!response.ok) throw new Error("incoming " + response.status);
      return response.json();
    }).then(function (body) {
      done();
      if (body === null) { hide(); return; }
      errors = 0;
      var ringing = update(body && body.calls);
      schedule(ringing ? WHILE_RINGING_MS : 0);
    }).catch(function (e) {
      done();
      if (e && e.name === "AbortError") return;  // the tab was hidden: it resumes when shown
      schedule(backoff());
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (timer) window.clearTimeout(timer);
      timer = null;
      if (inFlight && inFlight.abort) inFlight.abort();
      inFlight = null;
      stopRing();
    } else {
      if (shown !== null) startRing();
      errors = 0;
      schedule(0);
    }
  });

  schedule(0);
})();
