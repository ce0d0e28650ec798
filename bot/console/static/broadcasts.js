// Broadcasts. The compose form asks for its live audience count with a GET (htmx).
// htmx 4 has no hx-params, so the CSRF token, meant for the form's POST, is taken
// out here (with the form's one-use compose token): they would otherwise ride in
// the URL, and from there into access logs.
document.addEventListener("htmx:config:request", function (event) {
  var request = event.detail && event.detail.ctx && event.detail.ctx.request;
  if (request && request.method === "GET" && request.body && request.body.delete) {
    request.body.delete("csrf_token");
    request.body.delete("compose_token");
  }
});

// A form marked "once" (compose, pause / resume / cancel) is sent once: its
// buttons are disabled as it goes, so a double click makes one POST. A disabled
// button's name and value are left out of the POST, so the button pressed
// (compose's do=now|schedule|draft) is carried in a hidden field instead. The
// server refuses a repeated compose form all the same (its one-use token).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("once") || event.defaultPrevented) {
    return;
  }
  if (form.dataset.sent === "yes") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "yes";
  var pressed = event.submitter;
  if (pressed && pressed.name) {
    var carry = document.createElement("input");
    carry.type = "hidden";
    carry.name = pressed.name;
    carry.value = pressed.value;
    carry.className = "pressed";
    form.appendChild(carry);
  }
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
    button.disabled = true;
  });
});

// Back to a page the browser kept (back button): its forms may be sent again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) {
    return;
  }
  document.querySelectorAll("form.once").forEach(function (form) {
    delete form.dataset.sent;
    form.querySelectorAll("input.pressed").forEach(function (carry) { carry.remove(); });
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
});
