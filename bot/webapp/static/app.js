// planerka's Mini App: the team's scorecard, people, tasks and minutes. Plain JS, no build
// step. Every number and word comes from the server (the bot's own presenter and i18n);
// text is only ever set as textContent, never as HTML.
(function () {
  "use strict";
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = tg ? tg.initData : "";
  var GROUPINGS = ["role", "topic"];
  var state = { texts: {}, teams: [], team: null, tab: "scorecard", scorecard: null,
    tasks: null, taskFilter: "open", ownerFilter: "", back: [], by: grouping() };

  // the scorecard's grouping lives in the page's URL (?by=topic), so a reload keeps it
  function grouping() {
    var by = new URLSearchParams(window.location.search).get("by");
    return GROUPINGS.indexOf(by) >= 0 ? by : "role";
  }

  function setGrouping(by) {
    state.by = by;
    var url = new URL(window.location.href);
    if (by === "role") url.searchParams.delete("by"); else url.searchParams.set("by", by);
    try { window.history.replaceState(null, "", url.toString()); } catch (e) { /* sandboxed */ }
    state.scorecard = null;
    loadScorecard();
  }

  function T(key, params) {
    var text = state.texts[key] || key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function haptic(kind) {
    try {
      if (!tg || !tg.HapticFeedback) return;
      if (kind === "success" || kind === "error") tg.HapticFeedback.notificationOccurred(kind);
      else tg.HapticFeedback.selectionChanged();
    } catch (e) { /* older clients */ }
  }

  function api(path, options) {
    options = options || {};
    var headers = { "Authorization": "tma " + initData };
    if (options.body) headers["Content-Type"] = "application/json";
    return fetch("api" + path, { method: options.method || "GET", headers: headers,
      body: options.body ? JSON.stringify(options.body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) throw new Error(body.error || T("webapp.error.network"));
          return body;
        });
      }, function () { throw new Error(T("webapp.error.network")); });
  }

  // ------------------------------------------------------------------ theme

  function applyTheme() {
    var params = (tg && tg.themeParams) || {};
    var root = document.documentElement.style;
    Object.keys(params).forEach(function (key) {
      root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), params[key]);
    });
    var scheme = (tg && tg.colorScheme) || "light";
    document.documentElement.dataset.scheme = scheme;
    if (tg && tg.setHeaderColor && params.bg_color) {
      try { tg.setHeaderColor(params.bg_color); } catch (e) { /* older clients */ }
    }
  }

  // ------------------------------------------------------------------ navigation

  function setBack(handler) {
    state.back.push(handler);
    if (tg && tg.BackButton) tg.BackButton.show();
  }

  function goBack() {
    var handler = state.back.pop();
    if (!state.back.length && tg && tg.BackButton) tg.BackButton.hide();
    if (handler) handler();
  }

  function openSheet(content) {
    var body = document.getElementById("sheet-body");
    body.textContent = "";
    body.appendChild(el("button", { class: "close", "data-testid": "sheet-close", text: "✕",
      onclick: function () { goBack(); } }));
    body.appendChild(content);
    document.getElementById("sheet").hidden = false;
    setBack(function () { document.getElementById("sheet").hidden = true; });
  }

  function show(node) {
    var view = document.getElementById("view");
    view.textContent = "";
    view.appendChild(node);
  }

  function fail(error) {
    haptic("error");
    show(el("p", { class: "error", "data-testid": "error", text: error.message }));
  }

  // ------------------------------------------------------------------ scorecard

  function cellNode(cell, onTap) {
    var td = el("td", { class: "cell " + cell.status, "data-status": cell.status,
      "data-period": cell.period, title: cell.text });
    td.appendChild(el("span", { class: "mark", text: cell.mark }));
    td.appendChild(document.createTextNode(cell.value));
    if (onTap) td.addEventListener("click", function () { haptic(); onTap(cell); });
    return td;
  }

  function table(group, periods, options) {
    var head = el("tr", {}, [el("th", { class: "kpi", text: T("webapp.col.kpi") })]);
    periods.forEach(function (p) { head.appendChild(el("th", { text: p.short, title: p.label })); });
    head.appendChild(el("th", { text: T("webapp.col.average") }));
    head.appendChild(el("th", { text: T("webapp.col.total") }));
    var rows = [el("thead", {}, [head])];
    var body = el("tbody");
    group.rows.forEach(function (row) {
      var title = el("a", { href: "#", text: row.title, "data-testid": "kpi-link",
        onclick: function (e) { e.preventDefault(); haptic(); kpiPage(group, row, periods); } });
      var first = el("td", { class: "kpi" }, [title]);
      if (row.plan) first.appendChild(el("span", { class: "plan", text: T("webapp.col.plan") + ": " + row.plan }));
      if (options.roles) first.appendChild(el("span", { class: "owner", "data-testid": "row-role", text: row.role_title }));
      var tr = el("tr", { "data-kpi": row.kpi, "data-role": row.role }, [first]);
      row.cells.forEach(function (cell) {
        tr.appendChild(cellNode(cell, options.onTap ? function (c) { options.onTap(group, row, c); } : null));
      });
      tr.appendChild(el("td", { class: "sum", "data-col": "average", text: row.average }));
      tr.appendChild(el("td", { class: "sum", "data-col": "total", text: row.total }));
      body.appendChild(tr);
    });
    rows.push(body);
    var wrap = el("div", { class: "scroll" }, [el("table", { class: "sc" }, rows)]);
    return wrap;
  }

  function legend(items) {
    return el("div", { class: "legend" }, items.map(function (x) {
      return el("span", { text: x.mark + " " + x.label });
    }));
  }

  function scrollToLatest(root) {
    // the latest periods in view: four of them on a narrow phone, the rest by scrolling left
    root.querySelectorAll(".scroll").forEach(function (box) {
      var cells = box.querySelectorAll("thead th");
      var last = cells[cells.length - 3];
      if (last) box.scrollLeft = last.offsetLeft + last.offsetWidth - box.clientWidth;
    });
  }

  function renderScorecard(data) {
    document.getElementById("subtitle").textContent = T("webapp.period", { period: data.period.label }) + " · " + data.reported;
    var root = el("div", { "data-testid": "scorecard", "data-by": data.by });
    var toggle = el("div", { class: "chips", role: "group", "data-testid": "grouping" });
    GROUPINGS.forEach(function (by) {
      toggle.appendChild(el("button", { "aria-pressed": String(data.by === by), "data-by": by,
        "data-testid": "group-" + by, text: T("webapp.group.by_" + by),
        onclick: function () { if (state.by !== by) { haptic(); setGrouping(by); } } }));
    });
    root.appendChild(toggle);
    var byTopic = data.by === "topic";
    data.groups.forEach(function (group) {
      var head = el("div", { class: "group", "data-testid": "group",
        "data-group": byTopic ? group.topic : group.role }, [el("h2", { text: group.title })]);
      if (group.owners) {
        var names = group.owners.map(function (o) { return o.name; }).join(", ");
        head.appendChild(el("div", { class: "owners", text: T("webapp.owners", { names: names }) }));
      }
      root.appendChild(head);
      root.appendChild(table(group, data.periods, { onTap: breakdown, roles: byTopic }));
    });
    root.appendChild(legend(data.legend));
    show(root);
    scrollToLatest(root);
  }

  function loadScorecard() {
    var by = state.by;
    return api("/teams/" + state.team.id + "/scorecard?by=" + by).then(function (data) {
      if (by !== state.by) return;  // a newer grouping was asked for meanwhile
      state.scorecard = data;
      if (state.tab === "scorecard") renderScorecard(data);
    }, fail);
  }

  function breakdown(group, row, cell) {
    var q = "?role=" + encodeURIComponent(row.role) + "&kpi=" + encodeURIComponent(row.kpi) +
      "&period=" + encodeURIComponent(cell.period);
    api("/teams/" + state.team.id + "/cell" + q).then(function (data) {
      var box = el("div", { "data-testid": "breakdown" }, [
        el("h2", { text: data.title + " · " + data.period.label }),
        el("p", { class: "muted", text: data.role_title + " · " + T("webapp.breakdown.title") }),
        el("p", { "data-testid": "breakdown-total", text: data.cell.text })]);
      var list = el("ul", { class: "list" });
      data.people.forEach(function (p) {
        var parts = p.inputs.map(function (i) { return i.title + ": " + i.value; }).join(" · ");
        list.appendChild(el("li", { "data-testid": "contribution" }, [
          el("div", { text: p.name + " — " + p.value }),
          el("div", { class: "sub", text: parts + (p.counted ? "" : " · " + T("webapp.breakdown.not_counted")) })]));
      });
      if (!data.people.length && !data.hidden) list.appendChild(el("li", { text: T("webapp.breakdown.nobody") }));
      box.appendChild(list);
      if (data.hidden) box.appendChild(el("p", { class: "muted", text: T("webapp.breakdown.hidden", { count: data.hidden }) }));
      openSheet(box);
    }, function (error) { haptic("error"); openSheet(el("p", { class: "error", text: error.message })); });
  }

  // ------------------------------------------------------------------ KPI page (SVG trend)

  var SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key]; else node.setAttribute(key, attrs[key]);
    });
    return node;
  }

  function trend(row, periods) {
    var W = 360, H = 200, L = 8, R = 8, TOP = 14, B = 24;
    var values = row.cells.map(function (c) { return c.raw; });
    var plans = row.cells.map(function (c) { return c.plan_raw; });
    var all = values.concat(plans).filter(function (v) { return v !== null; });
    var lo = Math.min.apply(null, all.length ? all : [0]), hi = Math.max.apply(null, all.length ? all : [1]);
    if (hi === lo) { hi += 1; lo -= 1; }
    var pad = (hi - lo) * 0.1; lo -= pad; hi += pad;
    var step = (W - L - R) / Math.max(1, values.length - 1);
    function x(i) { return L + i * step; }
    function y(v) { return TOP + (H - TOP - B) * (1 - (v - lo) / (hi - lo)); }
    function path(series) {
      var d = "", pen = "M";
      series.forEach(function (v, i) {
        if (v === null) { pen = "M"; return; }
        d += pen + x(i).toFixed(1) + " " + y(v).toFixed(1) + " "; pen = "L";
      });
      return d.trim();
    }
    var root = svg("svg", { class: "trend", viewBox: "0 0 " + W + " " + H, "data-testid": "trend",
      role: "img", "aria-label": row.title });
    if (plans.some(function (v) { return v !== null; })) root.appendChild(svg("path", { class: "plan", d: path(plans), "data-testid": "plan-line" }));
    root.appendChild(svg("path", { class: "line", d: path(values), "data-testid": "value-line" }));
    row.cells.forEach(function (c, i) {
      if (c.raw === null) return;
      root.appendChild(svg("circle", { cx: x(i), cy: y(c.raw), r: 3.5, class: c.status }));
    });
    [0, Math.floor((periods.length - 1) / 2), periods.length - 1].forEach(function (i, n) {
      root.appendChild(svg("text", { x: x(i), y: H - 6, "text-anchor": n === 0 ? "start" : n === 2 ? "end" : "middle", text: periods[i].short }));
    });
    var last = row.cells[row.cells.length - 1];
    if (last && last.raw !== null) root.appendChild(svg("text", { x: W - R, y: TOP - 2, "text-anchor": "end", text: last.value }));
    return root;
  }

  function kpiPage(group, row, periods) {
    var previous = document.getElementById("view").firstChild;
    var box = el("div", { "data-testid": "kpi-page" }, [
      el("h2", { text: row.title }),
      el("p", { class: "muted", text: [group.title, row.role_title !== group.title ? row.role_title : "",
        row.plan ? T("webapp.col.plan") + ": " + row.plan : ""].filter(Boolean).join(" · ") }),
      el("p", { class: "muted", text: T("webapp.kpi.trend", { count: periods.length }) })]);
    box.appendChild(trend(row, periods));
    box.appendChild(el("p", { class: "muted", text: "— " + T("webapp.kpi.plan_line") + " - - -" }));
    var list = el("ul", { class: "list" });
    row.cells.slice().reverse().forEach(function (c, i) {
      var p = periods[periods.length - 1 - i];
      list.appendChild(el("li", {}, [el("div", { text: c.mark + " " + p.label + ": " + c.value }),
        el("div", { class: "sub", text: [c.change, c.plan ? T("webapp.col.plan") + " " + c.plan : "", c.attainment].filter(Boolean).join(" · ") })]));
    });
    box.appendChild(list);
    show(box);
    window.scrollTo(0, 0);
    setBack(function () { show(previous); scrollToLatest(previous); });
  }

  // ------------------------------------------------------------------ people

  function loadMembers() {
    return api("/teams/" + state.team.id + "/members").then(function (data) {
      var list = el("ul", { class: "list", "data-testid": "members" });
      data.members.forEach(function (m) {
        var item = el("li", { class: m.open ? "clickable" : "", "data-member": m.member_id }, [
          el("div", { text: m.name }), el("div", { class: "sub", text: m.roles.join(", ") })]);
        if (m.open) item.addEventListener("click", function () { haptic(); memberCard(m.member_id); });
        list.appendChild(item);
      });
      show(list);
    }, fail);
  }

  function memberCard(memberId) {
    var previous = document.getElementById("view").firstChild;
    api("/teams/" + state.team.id + "/members/" + memberId).then(function (data) {
      var box = el("div", { "data-testid": "member-card" }, [
        el("h2", { text: data.name }),
        el("p", { class: "muted", text: data.roles.join(", ") + " · " + data.period.label }),
        el("p", { class: "muted", text: T("webapp.member.open_tasks", { count: data.open_tasks }) })]);
      if (!data.reported) box.appendChild(el("p", { class: "muted", text: T("webapp.member.silent") }));
      data.groups.forEach(function (group) {
        box.appendChild(el("h2", { text: group.title }));
        box.appendChild(table(group, data.periods, {}));
      });
      box.appendChild(legend(data.legend));
      show(box);
      scrollToLatest(box);
      setBack(function () { show(previous); });
    }, fail);
  }

  // ------------------------------------------------------------------ tasks

  function renderTasks() {
    var data = state.tasks;
    var root = el("div", { "data-testid": "tasks" });
    var chips = el("div", { class: "chips" });
    [["open", "webapp.tasks.open"], ["overdue", "webapp.tasks.overdue"], ["done", "webapp.tasks.done"]].forEach(function (f) {
      chips.appendChild(el("button", { "aria-pressed": String(state.taskFilter === f[0]), "data-filter": f[0],
        text: T(f[1]), onclick: function () { haptic(); state.taskFilter = f[0]; renderTasks(); } }));
    });
    var owners = {};
    data.tasks.forEach(function (t) { owners[t.owner_member_id] = t.owner; });
    var pick = el("select", { "data-testid": "owner-filter", onchange: function (e) { state.ownerFilter = e.target.value; renderTasks(); } },
      [el("option", { value: "", text: T("webapp.tasks.all_owners") })]);
    Object.keys(owners).forEach(function (id) {
      var option = el("option", { value: id, text: owners[id] });
      if (String(state.ownerFilter) === id) option.selected = true;
      pick.appendChild(option);
    });
    chips.appendChild(pick);
    root.appendChild(chips);
    var shown = data.tasks.filter(function (t) {
      var bucket = t.state === "overdue" ? "overdue" : t.state === "open" ? "open" : "done";
      var wanted = state.taskFilter === "open" ? (bucket === "open" || bucket === "overdue") : bucket === state.taskFilter;
      return wanted && t.state !== "cancelled" && (!state.ownerFilter || String(t.owner_member_id) === String(state.ownerFilter));
    });
    var list = el("ul", { class: "list" });
    shown.forEach(function (t) {
      var item = el("li", { class: "task " + t.state, "data-task": t.id, "data-testid": "task" }, [
        el("div", { class: "text", text: t.text }),
        el("div", { class: "sub", text: t.owner + " · " + t.due_text })]);
      if (t.can_edit) {
        var date = el("input", { type: "date", value: t.due, "data-testid": "due-input" });
        item.appendChild(el("div", { class: "actions" }, [
          el("button", { "data-testid": "task-done", text: T("webapp.tasks.mark_done"), onclick: function () { taskDone(t); } }),
          date,
          el("button", { "data-testid": "task-due", text: T("webapp.tasks.new_due"), onclick: function () { taskDue(t, date.value); } })]));
      }
      list.appendChild(item);
    });
    if (!shown.length) list.appendChild(el("li", { class: "muted", text: T("webapp.tasks.empty") }));
    root.appendChild(list);
    root.appendChild(el("p", { class: "muted", "data-testid": "task-message", id: "task-message" }));
    show(root);
  }

  function taskMessage(text, error) {
    var node = document.getElementById("task-message");
    if (node) { node.textContent = text; node.className = error ? "error" : "muted"; }
  }

  function loadTasks(message) {
    return api("/teams/" + state.team.id + "/tasks").then(function (data) {
      state.tasks = data;
      renderTasks();
      if (message) taskMessage(message);
    }, fail);
  }

  function taskDone(task) {
    api("/teams/" + state.team.id + "/tasks/" + task.id + "/done", { method: "POST" }).then(function (body) {
      haptic("success");
      loadTasks(body.message);
    }, function (error) { haptic("error"); taskMessage(error.message, true); });
  }

  function taskDue(task, due) {
    api("/teams/" + state.team.id + "/tasks/" + task.id + "/due", { method: "POST", body: { due: due } }).then(function (body) {
      haptic("success");
      loadTasks(body.message);
    }, function (error) { haptic("error"); taskMessage(error.message, true); });
  }

  // ------------------------------------------------------------------ minutes

  function loadMeetings() {
    return api("/teams/" + state.team.id + "/meetings").then(function (data) {
      var list = el("ul", { class: "list", "data-testid": "meetings" });
      data.meetings.forEach(function (m) {
        list.appendChild(el("li", {}, [el("div", { class: "sub", text: m.date }), el("div", { class: "minutes", text: m.text })]));
      });
      if (!data.meetings.length) list.appendChild(el("li", { class: "muted", text: T("webapp.meetings.empty") }));
      show(list);
    }, fail);
  }

  // ------------------------------------------------------------------ start

  var LOADERS = { scorecard: function () { return state.scorecard ? renderScorecard(state.scorecard) : loadScorecard(); },
    members: loadMembers, tasks: function () { return loadTasks(); }, meetings: loadMeetings };

  function selectTab(tab) {
    state.tab = tab;
    state.back = [];
    if (tg && tg.BackButton) tg.BackButton.hide();
    document.querySelectorAll("#tabs button").forEach(function (b) {
      b.setAttribute("aria-selected", String(b.dataset.tab === tab));
    });
    LOADERS[tab]();
  }

  function selectTeam(id) {
    state.team = state.teams.filter(function (x) { return x.id === id; })[0] || state.teams[0];
    state.scorecard = null;
    document.getElementById("team-title").textContent = state.team.title;
    selectTab("scorecard");
  }

  function start() {
    applyTheme();
    if (tg) {
      tg.ready();
      tg.expand();
      tg.onEvent("themeChanged", applyTheme);
      if (tg.BackButton) tg.BackButton.onClick(goBack);
    }
    document.getElementById("sheet").addEventListener("click", function (e) { if (e.target.id === "sheet") goBack(); });
    api("/me").then(function (me) {
      state.texts = me.texts;
      document.documentElement.lang = me.locale;
      document.title = T("webapp.title");
      document.querySelectorAll("#tabs button").forEach(function (b) {
        b.textContent = T("webapp.tab." + b.dataset.tab);
        b.addEventListener("click", function () { haptic(); selectTab(b.dataset.tab); });
      });
      state.teams = me.teams;
      if (!me.teams.length) {
        document.getElementById("tabs").hidden = true;
        show(el("p", { "data-testid": "no-teams", text: T("webapp.no_teams") }));
        return;
      }
      var pick = document.getElementById("team-pick");
      if (me.teams.length > 1) {
        pick.hidden = false;
        me.teams.forEach(function (x) {
          pick.appendChild(el("option", { value: x.id, text: x.title + " · " + T("webapp.role." + x.role) }));
        });
        pick.value = me.team_id;
        pick.addEventListener("change", function () { selectTeam(Number(pick.value)); });
      }
      selectTeam(me.team_id);
    }, fail);
  }

  start();
})();
