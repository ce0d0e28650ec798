// The phone simulator: each phone's box posts to /console/simulator/send, which
// signs the message and sends it through this server's real /wechat; the
// passive reply comes back as the account's bubble. Pushes the worker sends to
// either phone are polled from /console/simulator/feed. Text only ever goes in
// through textContent.
(function () {
  "use strict";
  var root = document.getElementById("simulator");
  if (!root) { return; }
  var POLL_MS = 1500;
  var seen = {};
  var waitingPolls = 0;
  var phones = {};
  Array.prototype.forEach.call(root.querySelectorAll(".sim-phone"), function (el) {
    phones[el.dataset.side] = { el: el, chat: el.querySelector(".sim-chat"), lastTime: "" };
  });

  // Beijing time, as the pushes' times are (the server sends them so).
  var beijing = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit",
                                                   hourCycle: "h23" });
  function clock() {
    return beijing.format(new Date());
  }

  function add(phone, kind, text, at) {
    var time = at || clock();
    if (time !== phone.lastTime) {
      var stamp = document.createElement("li");
      stamp.className = "sim-time";
      stamp.textContent = time;
      phone.chat.appendChild(stamp);
      phone.lastTime = time;
    }
    var li = document.createElement("li");
    li.className = "sim-msg " + kind;
    if (kind !== "notice") {
      var avatar = document.createElement("span");
      avatar.className = "sim-avatar";
      avatar.setAttribute("aria-hidden", "true");
      avatar.textContent = kind === "mine" ? "我" : "站";
      li.appendChild(avatar);
    }
    var bubble = document.createElement("div");
    bubble.className = "sim-bubble";
    bubble.textContent = text;
    li.appendChild(bubble);
    phone.chat.appendChild(li);
    phone.chat.scrollTop = phone.chat.scrollHeight;
    return li;
  }

  function json(res) {
    var type = res.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) {
      // A login page (the session ended) or an error page (the form expired).
      throw new Error(res.redirected ? "登录已过期，请刷新页面重新登录" : "页面已过期，请刷新页面后重试");
    }
    return res.json();
  }

  function send(side, form) {
    var phone = phones[side];
    var input = form.querySelector("input[name=text]");
    var button = form.querySelector("button");
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    var mine = add(phone, "mine", text);
    input.value = "";
    button.disabled = true;
    var body = new FormData();
    body.append("side", side);
    body.append("code", phone.el.dataset.code);
    body.append("text", text);
    fetch(root.dataset.send, { method: "POST", body: body, credentials: "same-origin",
                               headers: { "X-CSRFToken": root.dataset.csrf } })
      .then(json)
      .then(function (data) {
        if (data.error) { throw new Error(data.error); }
        if (data.reply) { add(phone, "theirs reply", data.reply); }
      })
      .catch(function (err) {
        // As WeChat marks a message that did not go: a red "!" beside it, and why.
        var mark = document.createElement("span");
        mark.className = "sim-failed";
        mark.title = "没有发出";
        mark.textContent = "!";
        mine.classList.add("failed");
        mine.appendChild(mark);
        add(phone, "notice", err.message || "发送失败，请稍后再试");
      })
      .then(function () { button.disabled = false; input.focus(); });
  }

  Object.keys(phones).forEach(function (side) {
    var form = phones[side].el.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(side, form);
    });
  });

  function poll() {
    if (document.hidden) { return; }
    var query = new URLSearchParams({ voter: phones.voter.el.dataset.code, deputy: phones.deputy.el.dataset.code,
                                      push: root.dataset.push, delivery: root.dataset.delivery });
    fetch(root.dataset.feed + "?" + query.toString(), { credentials: "same-origin" })
      .then(json)
      .then(function (data) {
        ["voter", "deputy"].forEach(function (side) {
          (data[side] || []).forEach(function (item) {
            if (seen[side + item.key]) { return; }
            seen[side + item.key] = true;
            add(phones[side], "theirs push", item.text, item.at);
          });
        });
        waitingPolls = data.waiting ? waitingPolls + 1 : 0;
        var note = document.getElementById("sim-waiting");
        if (note) {
          note.textContent = waitingPolls >= 3 ? "有 " + data.waiting + " 条推送还在等待发送：后台任务进程在运行吗？"
            + "（liaison serve 会同时启动它）" : "";
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  poll();
  setInterval(poll, POLL_MS);
}());
