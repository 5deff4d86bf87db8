// The API docs page: Swagger UI (served by us from npm) over the service's own OpenAPI document.
// Requests from "Try it out" are GETs only, made with the page's session; writes need a CSRF
// token and stay with API clients.
(function () {
  'use strict';
  var el = document.getElementById('api-docs');
  if (!el || typeof SwaggerUIBundle === 'undefined') return;
  SwaggerUIBundle({
    url: el.getAttribute('data-spec'),
    domNode: el,
    // Deep links render each operation's path as a link inside its toggle button (a nested control).
    deepLinking: false,
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
    supportedSubmitMethods: ['get'],
    // No call to the public validator service (nothing leaves the server).
    validatorUrl: null,
    onComplete: function () {
      // Swagger UI leaves its server picker unnamed for screen readers.
      var servers = el.querySelector('select#servers');
      if (servers) servers.setAttribute('aria-label', 'サーバー (server)');
    },
  });
})();
