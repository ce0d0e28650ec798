// Broadcasts: the compose form asks for its live audience count with a GET (htmx).
// htmx 4 has no hx-params, so the CSRF token, meant for the form's POST, is taken
// out here: it would otherwise ride in the URL, and from there into access logs.
document.addEventListener("htmx:config:request", function (event) {
  var request = event.detail && event.detail.ctx && event.detail.ctx.request;
  if (request && request.method === "GET" && request.body && request.body.delete) {
    request.body.delete("csrf_token");
  }
});
