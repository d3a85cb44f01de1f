// A stand-in map script (served from whatever host the page loads it from): window.RefMap.locate()
// reads one position when the user asks for nearby places, and draws a static tile grid.
(function () {
  window.RefMap = {
    draw: function (el) {
      if (!el) return;
      el.style.background = "repeating-linear-gradient(90deg,#e8eef3 0 38px,#d6dee6 38px 40px),repeating-linear-gradient(0deg,#e8eef3 0 38px,#d6dee6 38px 40px)";
      el.style.backgroundBlendMode = "multiply";
    },
    locate: function (done) {
      try {
        navigator.geolocation.getCurrentPosition(function (p) { done && done(p.coords); }, function () { done && done(null); }, { timeout: 3000, maximumAge: 60000 });
      } catch (e) { done && done(null); }
    }
  };
})();
