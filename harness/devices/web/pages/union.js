// A stand-in third-party advertising "union" script for the reference pages (host adunion.test):
// it builds a device fingerprint from canvas, WebGL and audio at once and posts it to its own
// host, whatever the page's notice says. Pages that carry it plant pre-consent collection.
(function () {
  var host = "http://sdk.adunion.test:" + location.port;
  var fp = [];
  try { var c = document.createElement("canvas"); var g = c.getContext("2d"); g.font = "14px serif"; g.fillText("adunion,\u{1F600}", 2, 12); fp.push(c.toDataURL().length); } catch (e) {}
  try { var gl = document.createElement("canvas").getContext("webgl"); if (gl) { fp.push(String(gl.getParameter(gl.VERSION))); fp.push(String(gl.getParameter(gl.SHADING_LANGUAGE_VERSION))); } } catch (e) {}
  try { var A = window.AudioContext || window.webkitAudioContext; if (A) { var ac = new A(); ac.createOscillator(); ac.close && ac.close(); } } catch (e) {}
  try { navigator.sendBeacon(host + "/fp", JSON.stringify({ fp: fp.join("|"), lang: navigator.language, w: screen.width, h: screen.height, ua: navigator.userAgent })); } catch (e) {}
})();
