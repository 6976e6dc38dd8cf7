// Renders this server's own API document; "Try it out" sends requests to this server.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#docs",
    deepLinking: true,
    persistAuthorization: false,
  });
});
