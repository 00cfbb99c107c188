// Claim groups are open in the HTML, so they read whole without JavaScript and on a desktop.
// On a phone the page would be twenty screens long: start them closed, except the group a
// link points into (#claim-123 from an actor's or a source's page).
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 40rem)").matches) return;
  var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  document.querySelectorAll("details[data-collapse-narrow]").forEach(function (group) {
    if (!target || !group.contains(target)) group.open = false;
  });
})();
