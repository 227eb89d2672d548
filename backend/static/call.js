// The console's side of a video call (docs/calls.md): WebRTC in the browser, signalling through
// the backend. The console is always the SDP offerer, the tablet always the answerer; no
// trickle ICE (one offer with all its candidates, one answer).
// - data-role="caller" with no call id (/b/{id}/call): camera and microphone, POST
//   /b/{id}/calls, the address becomes /calls/{id}, then the offer.
// - data-role="callee" (/calls/{id}, a tablet calling): POST /calls/{id}/answer, then the offer.
// - Otherwise (a call page reloaded, or a call already over): the state in words only.
// The call's state comes from the long-poll GET /calls/{id}/signals (ringing, answered,
// ended); "connected" from the RTCPeerConnection itself. A dropped connection gets
// RECOVERY_MS to come back, then the call is hung up with reason "network".
// Sentences come from #call-words (the template's, in the console's language); window.foyerCall
// exposes the state and a few statistics for the end-to-end tests.
"use strict";
(function () {
  var main = document.getElementById("call");
  var wordsNode = document.getElementById("call-words");
  if (!main || !wordsNode) return;

  var RECOVERY_MS = 15000;
  var WAIT_SECONDS = 25;
  var MAX_BACKOFF_MS = 10000;

  var words = {};
  try { words = JSON.parse(wordsNode.textContent || "{}"); } catch (e) { words = {}; }
  var role = main.getAttribute("data-role") || "caller";
  var callId = main.getAttribute("data-call-id") || "";
  var beneficiaryId = main.getAttribute("data-beneficiary-id") || "";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = main.getAttribute("data-csrf") || (meta ? meta.getAttribute("content") : "") || "";
  var relayOnly = new URLSearchParams(window.location.search).get("relay") === "1";

  var stateLine = document.getElementById("call-state");
  var remoteVideo = document.getElementById("remote-video");
  var localVideo = document.getElementById("local-video");
  var hangupButton = document.getElementById("hangup");
  var cameraButton = document.getElementById("toggle-camera");
  var microphoneButton = document.getElementById("toggle-microphone");
  var backLink = document.getElementById("call-back");

  var pc = null;
  var stream = null;
  var cursor = 0;
  var ended = false;
  var connectedAt = null;     // Date.now() when the media first flowed
  var durationTimer = null;
  var recoveryTimer = null;
  var hangingUp = false;
  var polling = false;
  var remoteAnswered = false;

  var api = { state: "starting", callId: callId || null, stats: stats };
  window.foyerCall = api;

  // --- words ---------------------------------------------------------------------------------
  function word(key, values) {
    var text = words[key] || key;
    if (values) {
      Object.keys(values).forEach(function (name) {
        text = text.split("{" + name + "}").join(values[name]);
      });
    }
    return text;
  }

  // "14 s", "2 min 05", "1 h 02": short, and the same in French and English.
  function duration(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    if (hours) return hours + " h " + pad(minutes);
    if (minutes) return minutes + " min " + pad(seconds);
    return seconds + " s";
  }

  function show(state, text) {
    api.state = state;
    main.setAttribute("data-state", state);
    if (stateLine) stateLine.textContent = text === undefined ? word(state) : text;
  }

  function showConnected() {
    show("connected", word("connected", { duration: duration(Date.now() - connectedAt) }));
  }

  // --- requests ------------------------------------------------------------------------------
  function send(method, path, body, options) {
    var init = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (options && options.keepalive) init.keepalive = true;
    if (options && options.signal) init.signal = options.signal;
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function detail(answer, fallbackKey) {
    var d = answer.data && answer.data.detail;
    if (typeof d === "string" && d) return d;
    return word(fallbackKey);
  }

  // --- the end -------------------------------------------------------------------------------
  function release() {
    if (durationTimer) { clearInterval(durationTimer); durationTimer = null; }
    if (recoveryTimer) { clearTimeout(recoveryTimer); recoveryTimer = null; }
    if (pc) { try { pc.close(); } catch (e) { /* already closed */ } }
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    if (remoteVideo) remoteVideo.srcObject = null;
    if (localVideo) localVideo.srcObject = null;
  }

  function finish(state, text) {
    if (ended) return;
    ended = true;
    release();
    show(state, text);
    if (hangupButton) hangupButton.hidden = true;
    if (cameraButton) cameraButton.hidden = true;
    if (microphoneButton) microphoneButton.hidden = true;
    if (backLink) {
      if (words.back) backLink.textContent = words.back;
      backLink.focus();
    }
  }

  // A call the server says is over: its outcome in words.
  function finishWith(call) {
    var outcome = call && call.outcome;
    if (outcome === "completed") {
      var ms = connectedAt ? Date.now() - connectedAt : 0;
      finish("ended", word("ended", { duration: duration(ms) }));
    } else if (outcome && words[outcome]) {
      finish(outcome);
    } else {
      finish("failed");
    }
  }

  function hangup(reason) {
    if (ended || hangingUp || !callId) { if (!callId) finish("cancelled"); return; }
    hangingUp = true;
    var network = reason === "network";
    send("POST", "/calls/" + callId + "/hangup", { reason: reason }).then(function (answer) {
      if (network) finish("network_lost");
      else if (answer.ok && answer.data && answer.data.call) finishWith(answer.data.call);
      else finish("ended", word("ended", { duration: duration(connectedAt ? Date.now() - connectedAt : 0) }));
    }, function () {
      finish(network ? "network_lost" : "failed");
    });
  }

  // --- the connection ------------------------------------------------------------------------
  function watchConnection() {
    pc.addEventListener("connectionstatechange", function () {
      if (ended) return;
      var s = pc.connectionState;
      if (s === "connected") {
        if (recoveryTimer) { clearTimeout(recoveryTimer); recoveryTimer = null; }
        if (!connectedAt) connectedAt = Date.now();
        showConnected();
        if (!durationTimer) durationTimer = setInterval(function () {
          if (!ended && api.state === "connected") showConnected();
        }, 1000);
      } else if (s === "disconnected") {
        show("network_recovering");
        if (!recoveryTimer) recoveryTimer = setTimeout(function () { hangup("network"); }, RECOVERY_MS);
      } else if (s === "failed") {
        hangup("network");
      }
    });
    pc.addEventListener("track", function (event) {
      if (!remoteVideo) return;
      var remote = event.streams && event.streams[0];
      if (!remote) {
        remote = remoteVideo.srcObject instanceof MediaStream ? remoteVideo.srcObject : new MediaStream();
        remote.addTrack(event.track);
      }
      if (remoteVideo.srcObject !== remote) remoteVideo.srcObject = remote;
      play(remoteVideo);
    });
  }

  // A browser that blocks sound without a touch still shows the picture; the first touch
  // anywhere then brings the sound.
  function play(video) {
    var started = video.play();
    if (!started || !started.catch) return;
    started.catch(function () {
      video.muted = true;
      video.play().catch(function () { /* nothing more to try */ });
      document.addEventListener("click", function () {
        video.muted = false;
        video.play().catch(function () { /* stays muted */ });
      }, { once: true });
    });
  }

  function gathered() {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise(function (resolve) {
      var done = function () {
        if (pc.iceGatheringState !== "complete") return;
        pc.removeEventListener("icegatheringstatechange", done);
        resolve();
      };
      pc.addEventListener("icegatheringstatechange", done);
    });
  }

  function offer(iceServers) {
    var config = { iceServers: iceServers || [] };
    if (relayOnly) config.iceTransportPolicy = "relay";
    pc = new RTCPeerConnection(config);
    api.pc = pc;
    watchConnection();
    stream.getTracks().forEach(function (track) { pc.addTrack(track, stream); });
    return pc.createOffer()
      .then(function (description) { return pc.setLocalDescription(description); })
      .then(gathered)
      .then(function () {
        if (ended) return null;
        return send("POST", "/calls/" + callId + "/signals", { kind: "offer", sdp: pc.localDescription.sdp });
      })
      .then(function (answer) {
        if (answer && !answer.ok && !ended) {
          if (answer.status === 409) poll(); // the call ended meanwhile: say how
          else finish("failed", detail(answer, "failed"));
        }
      });
  }

  // The long-poll: the tablet's answer and the call's state, until the call ends.
  function poll() {
    if (polling || ended || !callId) return;
    polling = true;
    var errors = 0;
    var next = function () {
      if (ended) { polling = false; return; }
      send("GET", "/calls/" + callId + "/signals?after=" + cursor + "&wait=" + WAIT_SECONDS)
        .then(function (answer) {
          if (!answer.ok || !answer.data) throw new Error("status " + answer.status);
          errors = 0;
          received(answer.data);
          setTimeout(next, 0);
        })
        .catch(function () {
          errors += 1;
          var wait = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, errors));
          setTimeout(next, wait * (0.5 + Math.random() / 2));
        });
    };
    next();
  }

  function received(data) {
    if (typeof data.last === "number" && data.last > cursor) cursor = data.last;
    (data.signals || []).forEach(function (signal) {
      if (signal.kind === "answer" && pc && !remoteAnswered) {
        remoteAnswered = true;
        pc.setRemoteDescription({ type: "answer", sdp: signal.sdp }).catch(function () {
          hangup("network");
          finish("failed");
        });
      }
    });
    var call = data.call;
    if (!call || ended) return;
    if (call.state === "ended") {
      finishWith(call);
    } else if (call.state === "ringing") {
      if (api.state === "starting") show("ringing");
    } else if (call.state === "answered") {
      if (api.state === "starting" || api.state === "ringing") show("connecting");
    }
  }

  // --- switches ------------------------------------------------------------------------------
  function toggle(button, kind, offKey, onKey) {
    if (!button) return;
    button.addEventListener("click", function () {
      if (!stream) return;
      var tracks = kind === "video" ? stream.getVideoTracks() : stream.getAudioTracks();
      var off = button.getAttribute("aria-pressed") !== "true";
      tracks.forEach(function (track) { track.enabled = !off; });
      button.setAttribute("aria-pressed", off ? "true" : "false");
      button.textContent = word(off ? onKey : offKey);
      if (kind === "video" && localVideo) localVideo.hidden = off;
    });
  }

  // --- start ---------------------------------------------------------------------------------
  function media() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
      finish("failed");
      return Promise.reject(new Error("no WebRTC"));
    }
    return navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (s) {
      stream = s;
      if (localVideo) { localVideo.srcObject = s; localVideo.muted = true; play(localVideo); }
    }, function (error) {
      finish("camera_denied");
      throw error;
    });
  }

  function place() {
    show("starting");
    media().then(function () {
      return send("POST", "/b/" + beneficiaryId + "/calls", {});
    }).then(function (answer) {
      if (!answer.ok || !answer.data || !answer.data.call) {
        var key = answer.status === 409 ? "busy" : answer.status === 403 ? "not_approved" : "failed";
        finish(key, detail(answer, key));
        return null;
      }
      callId = String(answer.data.call.id);
      api.callId = callId;
      main.setAttribute("data-call-id", callId);
      history.replaceState(null, "", "/calls/" + callId + window.location.search);
      show(answer.data.call.state === "answered" ? "connecting" : "ringing");
      poll();
      return offer(answer.data.ice_servers);
    }).catch(function () { /* already said */ });
  }

  function take() {
    show("starting");
    media().then(function () {
      return send("POST", "/calls/" + callId + "/answer", {});
    }).then(function (answer) {
      if (!answer.ok || !answer.data || !answer.data.call) {
        finish(answer.status === 409 ? "cancelled" : "failed", detail(answer, answer.status === 409 ? "cancelled" : "failed"));
        return null;
      }
      show("connecting");
      poll();
      return offer(answer.data.ice_servers);
    }).catch(function () { /* already said */ });
  }

  if (hangupButton) hangupButton.addEventListener("click", function () { hangup("hangup"); });
  toggle(cameraButton, "video", "camera_off", "camera_on");
  toggle(microphoneButton, "audio", "microphone_off", "microphone_on");

  // Leaving the page hangs up: a request that outlives the page (keepalive), with the CSRF
  // header sendBeacon cannot carry.
  window.addEventListener("pagehide", function () {
    if (ended || !callId) return;
    ended = true;
    send("POST", "/calls/" + callId + "/hangup", { reason: "hangup" }, { keepalive: true })
      .catch(function () { /* the page is gone */ });
    release();
  });

  // --- statistics for the tests ----------------------------------------------------------------
  function stats() {
    var out = { framesDecoded: 0, framesSent: 0, audioBytesReceived: 0, candidateType: null };
    if (!pc) return Promise.resolve(out);
    return pc.getStats().then(function (report) {
      var pairId = null;
      var pairs = [];
      report.forEach(function (s) {
        if (s.type === "inbound-rtp" && s.kind === "video") out.framesDecoded += s.framesDecoded || 0;
        if (s.type === "outbound-rtp" && s.kind === "video") out.framesSent += s.framesSent || 0;
        if (s.type === "inbound-rtp" && s.kind === "audio") out.audioBytesReceived += s.bytesReceived || 0;
        if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
        if (s.type === "candidate-pair") pairs.push(s);
      });
      var pair = pairId ? report.get(pairId) : null;
      if (!pair) pair = pairs.filter(function (p) { return p.nominated && p.state === "succeeded"; })[0];
      var local = pair ? report.get(pair.localCandidateId) : null;
      out.candidateType = local ? local.candidateType : null;
      return out;
    });
  }

  var serverState = main.getAttribute("data-state") || "";
  if (role === "caller" && !callId) place();
  else if (role === "callee" && callId && (serverState === "ringing" || !serverState)) take();
  else if (serverState === "ended") {
    var outcome = main.getAttribute("data-outcome");
    ended = true;
    api.state = outcome || "ended";
    [hangupButton, cameraButton, microphoneButton].forEach(function (b) { if (b) b.hidden = true; });
  } else if (callId) {
    // A call page opened again while the call goes on: its state, and « Raccrocher ».
    [cameraButton, microphoneButton].forEach(function (b) { if (b) b.hidden = true; });
    poll();
  }
})();
