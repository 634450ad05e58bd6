/* Small helpers of the content pages: "copy" buttons next to links and embed snippets. */
(function () {
  "use strict";

  function copied(button) {
    var label = button.textContent;
    button.textContent = "Đã sao chép";
    setTimeout(function () { button.textContent = label; }, 2000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      source.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(function () { copied(button); });
      } else if (document.execCommand && document.execCommand("copy")) {
        copied(button);
      }
    });
  });
})();
