// Our own "Captions on/off" button next to each guidance video (Chromium hides its own in a
// menu). Progressive enhancement: without JavaScript the button stays hidden and the
// browser's controls remain. Captions sit at the top of the picture, clear of the
// "Urgent help" strip burned into the bottom of the videos. The choice is kept in a cookie
// for people who are not signed in (signed-in people set it on their settings page).
(function () {
  "use strict";
  var YEAR = 60 * 60 * 24 * 365;

  function clearOfTheStrip(track) {
    var cues = track.cues || [];
    for (var i = 0; i < cues.length; i++) {
      cues[i].snapToLines = true;
      cues[i].line = 0;
    }
  }

  function setUp(player) {
    if (player.getAttribute("data-ready")) { return; }
    player.setAttribute("data-ready", "1");
    var video = player.querySelector("video");
    var button = player.querySelector(".portal-player__captions");
    if (!video || !button || !video.textTracks || !video.textTracks.length) { return; }
    var track = video.textTracks[0];
    var element = video.querySelector("track");
    var show = function (on) {
      track.mode = on ? "showing" : "hidden";
      button.setAttribute("aria-pressed", on ? "true" : "false");
    };
    if (element) {
      element.addEventListener("load", function () { clearOfTheStrip(track); });
    }
    track.addEventListener("cuechange", function () { clearOfTheStrip(track); });
    show(button.getAttribute("aria-pressed") === "true");
    button.hidden = false;
    button.addEventListener("click", function () {
      var on = track.mode !== "showing";
      show(on);
      document.cookie = "captions=" + (on ? "on" : "off") + "; path=/; max-age=" + YEAR +
        "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
    });
  }

  var players = document.querySelectorAll(".portal-player");
  for (var i = 0; i < players.length; i++) { setUp(players[i]); }
})();
