// The ticket page's action forms: a second tap while the first is on its way sends
// nothing, and the buttons grey out (the server spends each form's one-use nonce too).
// A file of its own: the pages' CSP allows no inline script.
(function () {
  function sent(event) {
    var form = event.currentTarget;
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    // Disabled after this turn: a button disabled now would drop its name=value (the action) from the form.
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = true;
      }
    }, 0);
  }

  function ready() {
    var forms = document.querySelectorAll("#desk form");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", sent);
    }
  }

  // Back to a page the browser kept in memory: the forms are usable again (the server
  // still refuses a nonce already spent).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    var forms = document.querySelectorAll("#desk form[data-sent]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].removeAttribute("data-sent");
      var buttons = forms[i].querySelectorAll("button");
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].disabled = false;
      }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
