/* The one-line embed: <script src="https://…/widget.js" data-school="slug" async></script>
   adds a "Hỏi đáp pháp luật" button to the host page that opens the chat in an iframe.
   It sets no cookie, stores nothing and loads nothing else until the button is pressed.
   Whether the chat shows inside the host page is decided by the server's
   Content-Security-Policy frame-ancestors allow-list. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__legalbotWidget) return;
  window.__legalbotWidget = true;

  var source = new URL(script.src, window.location.href);
  var root = source.origin + source.pathname.replace(/\/widget\.js$/, "");
  var school = script.getAttribute("data-school") || "";
  if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(school)) school = "";
  var label = (script.getAttribute("data-label") || "Hỏi đáp pháp luật").slice(0, 40);
  var colour = script.getAttribute("data-color") || "#0b5394";
  if (!/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(colour)) colour = "#0b5394";
  var chatUrl = root + (school ? "/" + school : "") + "/hoi?nhung=1";

  function css(node, styles) {
    Object.keys(styles).forEach(function (key) { node.style[key] = styles[key]; });
  }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "legalbot-panel");
  button.className = "legalbot-button";
  css(button, {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000",
    padding: "12px 18px", minHeight: "44px", border: "0", borderRadius: "24px",
    background: colour, color: "#ffffff", font: "600 16px/1.2 Roboto, Arial, sans-serif",
    boxShadow: "0 2px 8px rgba(0,0,0,.3)", cursor: "pointer",
  });

  var panel = document.createElement("div");
  panel.id = "legalbot-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  css(panel, {
    display: "none",
    position: "fixed", right: "16px", bottom: "76px", zIndex: "2147483000",
    width: "min(400px, calc(100vw - 32px))", height: "min(600px, calc(100vh - 100px))",
    background: "#ffffff", borderRadius: "12px", overflow: "hidden",
    boxShadow: "0 4px 24px rgba(0,0,0,.35)",
  });

  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", "Đóng khung hỏi đáp");
  css(close, {
    position: "absolute", top: "6px", right: "8px", width: "36px", height: "36px",
    border: "0", borderRadius: "18px", background: "rgba(0,0,0,.55)", color: "#ffffff",
    font: "700 20px/36px Arial, sans-serif", cursor: "pointer", padding: "0",
  });

  var frame = null;

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = label;
      frame.src = chatUrl;
      frame.setAttribute("referrerpolicy", "no-referrer");
      css(frame, { width: "100%", height: "100%", border: "0", display: "block" });
      panel.insertBefore(frame, close);
    }
    panel.style.display = "block";
    button.setAttribute("aria-expanded", "true");
    close.focus();
  }

  function hide() {
    panel.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  button.addEventListener("click", function () {
    if (panel.style.display === "none") open();
    else hide();
  });
  close.addEventListener("click", hide);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel.style.display !== "none") hide();
  });
  window.addEventListener("message", function (event) {
    // Escape pressed inside the chat frame; only the column's own origin is listened to.
    if (event.origin === source.origin && event.data === "legalbot:close") hide();
  });

  panel.appendChild(close);
  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
