// A stand-in consent-respecting analytics script (host stats.sa.test): the reference pages that
// carry it load it only after the user agreed. It counts a page view (no device read) and sends
// the page path to its own host.
(function () {
  var host = "http://stats.sa.test:" + location.port;
  try { navigator.sendBeacon(host + "/pv", JSON.stringify({ page: location.pathname, ref: document.referrer ? "yes" : "no" })); } catch (e) {}
})();
