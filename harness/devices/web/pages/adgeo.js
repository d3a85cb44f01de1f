// A stand-in third-party ad SDK for the reference pages (host sdk.adunion.test): the page hands
// it the user's position for "nearby offers"; it posts the position, as received, to its own
// collector.
(function () {
  var host = "http://sdk.adunion.test:" + location.port;
  window.AdUnionGeo = {
    track: function (ev, lat, lng) {
      try { navigator.sendBeacon(host + "/collect", JSON.stringify({ ev: ev, lat: lat, lng: lng, slot: "rent-banner" })); } catch (e) {}
    },
  };
})();
