// The language switcher: choosing a language submits the form at once, so its button,
// needed only without JavaScript, is hidden (it stays for screen readers' form navigation).
(function () {
  "use strict";
  var form = document.querySelector(".language-switch");
  if (!form) return;
  var select = form.querySelector("select");
  var button = form.querySelector("button");
  if (button) button.classList.add("visually-hidden");
  select.addEventListener("change", function () {
    form.submit();
  });
})();
