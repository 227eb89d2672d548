// Progressive enhancement only: every form works without this file.
// Photo upload: send with XMLHttpRequest to show a progress bar, then show the gallery.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var bar = form.querySelector("progress");
  var status = form.querySelector(".upload-status");
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;  // no double send
    status.textContent = "Envoi en cours…";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status >= 400 || !body || !body.results) {
        button.disabled = false;
        bar.hidden = true;
        status.textContent = (body && body.detail) || "L'envoi n'a pas abouti. Réessayez.";
        return;
      }
      var lines = body.results.map(function (r) {
        if (r.status === "created") return r.filename + " : envoyée";
        if (r.status === "duplicate") return r.filename + " : déjà présente";
        return r.filename + " : refusée — " + r.error;
      });
      status.textContent = lines.join(" · ");
      bar.value = 100;
      var count = function (status) {
        return body.results.filter(function (r) { return r.status === status; }).length;
      };
      var refused = count("error") > 0;
      if (!refused) {
        // The gallery, saying how many were sent ("3 photos envoyées.").
        window.location.assign(window.location.pathname + "?sent=" + count("created") +
          "&already=" + count("duplicate"));
      } else { button.disabled = false; }
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      bar.hidden = true;
      status.textContent = "Connexion perdue pendant l'envoi. Réessayez.";
    });
    xhr.send(new FormData(form));
  });
});

// Copy buttons (an invitation link): shown only where the clipboard can be written; without
// them the link stays on the page as text to select.
document.addEventListener("DOMContentLoaded", function () {
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!field) return;
    var canCopy = (navigator.clipboard && window.isSecureContext) || document.queryCommandSupported && document.queryCommandSupported("copy");
    if (!canCopy) return;
    button.hidden = false;
    function done(ok) {
      if (status) status.textContent = button.getAttribute(ok ? "data-done" : "data-failed");
    }
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () {
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
          done(ok);
        });
        return;
      }
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      done(ok);
    });
  });
});
