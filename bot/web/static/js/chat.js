/* The chat page: sends questions and choices to the JSON API and shows the replies.
   The conversation lives only in this page (no cookie, no storage); every text from the
   server or the user is put in with textContent, never as HTML. */
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root) return;
  var api = root.getAttribute("data-api");
  var base = root.getAttribute("data-base");
  var embedded = root.getAttribute("data-embedded") === "true";
  var log = document.getElementById("messages");
  var form = document.getElementById("ask-form");
  var input = document.getElementById("question");
  var send = document.getElementById("send");

  var ERROR = "Xin lỗi, mình đang gặp trục trặc. Bạn thử lại sau ít phút nhé.";
  var OFFLINE = "Không kết nối được máy chủ. Bạn kiểm tra mạng rồi thử lại nhé.";
  var state = { lastQuestion: null, lastEntryId: null, busy: false };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function addParagraphs(parent, text) {
    String(text || "").split(/\n\s*\n/).forEach(function (block) {
      if (!block.trim()) return;
      var p = el("p");
      block.split("\n").forEach(function (line, i) {
        if (i > 0) p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(line));
      });
      parent.appendChild(p);
    });
  }

  function link(path, text) {
    // Paths come from the server and are site-relative; anything else is shown as text.
    if (typeof path !== "string" || path.charAt(0) !== "/" || path.charAt(1) === "/") {
      return el("span", null, text);
    }
    var a = el("a", null, text);
    a.href = base + path;
    if (embedded) {
      a.target = "_blank";
      a.rel = "noopener";
    }
    return a;
  }

  function show(node) {
    log.appendChild(node);
    if (node.scrollIntoView) node.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function addUser(text) {
    show(el("li", "msg user", text));
  }

  function addBotText(text) {
    var item = el("li", "msg bot");
    addParagraphs(item, text);
    show(item);
    return item;
  }

  function setBusy(busy) {
    state.busy = busy;
    send.disabled = busy;
    log.setAttribute("aria-busy", busy ? "true" : "false");
    Array.prototype.forEach.call(log.querySelectorAll("button.option"), function (b) {
      b.disabled = busy;
    });
  }

  async function post(path, body) {
    var response;
    try {
      response = await fetch(api + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch (err) {
      return { ok: false, data: { message: OFFLINE } };
    }
    var data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) return { ok: false, data: { message: (data && data.message) || ERROR } };
    return { ok: true, data: data || {} };
  }

  function addActions(item, reply) {
    var actions = el("div", "actions");
    if (reply.feedback) {
      var up = el("button", null, "👍 Hữu ích");
      var down = el("button", null, "👎 Chưa đúng ý");
      [up, down].forEach(function (button, index) {
        button.type = "button";
        button.addEventListener("click", function () {
          up.disabled = true;
          down.disabled = true;
          vote(reply, index === 0 ? 1 : -1);
        });
        actions.appendChild(button);
      });
    }
    if (reply.escalate) {
      var ask = el("button", "escalate", "Hỏi cán bộ pháp chế");
      ask.type = "button";
      ask.addEventListener("click", function () {
        ask.disabled = true;
        escalate(reply);
      });
      actions.appendChild(ask);
    }
    if (actions.childNodes.length) item.appendChild(actions);
  }

  function addReply(reply) {
    var item = el("li", "msg bot");
    addParagraphs(item, reply.text);
    var cited = (reply.citations || []).filter(function (c) { return c.path; });
    if (cited.length) {
      var list = el("ul", "citations");
      cited.forEach(function (c) {
        var li = el("li");
        li.appendChild(link(c.path, c.text));
        list.appendChild(li);
      });
      item.appendChild(el("p", "cited-label", "Xem văn bản:"));
      item.appendChild(list);
    }
    if (reply.path) {
      var more = el("p");
      more.appendChild(link(reply.path, "Mở trang câu hỏi này (để chia sẻ)"));
      item.appendChild(more);
    }
    if (reply.options && reply.options.length) {
      var options = el("div", "options");
      reply.options.forEach(function (option) {
        var button = el("button", "option", option.label);
        button.type = "button";
        button.setAttribute("data-payload", option.payload);
        options.appendChild(button);
      });
      item.appendChild(options);
    }
    addActions(item, reply);
    show(item);
    if (reply.id) state.lastEntryId = reply.id;
  }

  async function ask(question) {
    if (state.busy) return;
    addUser(question);
    state.lastQuestion = question;
    state.lastEntryId = null;
    setBusy(true);
    var result = await post("/ask", { question: question });
    setBusy(false);
    if (result.ok) addReply(result.data);
    else addBotText(result.data.message);
  }

  async function choose(payload, label) {
    if (state.busy) return;
    addUser(label);
    if (payload.indexOf("e:") === 0 && !state.lastQuestion) state.lastQuestion = label;
    setBusy(true);
    var result = await post("/choose", { payload: payload });
    setBusy(false);
    if (result.ok) addReply(result.data);
    else addBotText(result.data.message);
  }

  async function vote(reply, value) {
    var result = await post("/feedback", {
      entry_id: reply.id || null,
      question: state.lastQuestion || "",
      vote: value,
    });
    addBotText(result.data.text || result.data.message);
  }

  async function escalate(reply) {
    var question = reply.question || state.lastQuestion;
    if (!question) {
      addBotText("Bạn hãy gõ câu hỏi trước, rồi bấm “Hỏi cán bộ pháp chế”.");
      return;
    }
    var result = await post("/escalate", { question: question, entry_id: reply.id || null });
    addBotText(result.data.text || result.data.message);
  }

  log.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.option") : null;
    if (!button || button.disabled) return;
    choose(button.getAttribute("data-payload"), button.textContent);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) {
      input.focus();
      return;
    }
    input.value = "";
    ask(question);
    input.focus();
  });

  if (embedded && window.parent !== window) {
    // Inside the widget's frame, Escape closes the panel: keys do not reach the host page.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") window.parent.postMessage("legalbot:close", "*");
    });
  }

  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line, as in chat apps.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
})();
