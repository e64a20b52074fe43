// The problem browser of an rlvr-audit report. Reads the inline JSON block once, lists
// problems a page at a time, and renders a problem's completions only when it is opened.
// Model output is untrusted: text reaches the page through textContent only.
(function () {
  "use strict";
  var PAGE_SIZE = 50;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var P = data.problems;
  var runs = data.browser.runs;
  var baseIndex = data.browser.base;
  var STATUS = data.status_codes; // name -> one-character code
  var CODE = {};
  Object.keys(STATUS).forEach(function (k) { CODE[STATUS[k]] = k; });
  var state = { run: runs.length > 1 ? 1 : 0, template: null, profile: null, page: 0, open: null, rows: [] };

  function $(id) { return document.getElementById(id); }
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (k === "text") node.textContent = v == null ? "" : String(v);
        else if (k === "cls") node.className = v;
        else node.setAttribute(k, v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  function code(run, template, profile, i) {
    var col = (run.status[template] || {})[profile];
    return col ? col.charAt(i) : "-";
  }
  function mixed(codes) {
    var yes = false, no = false;
    codes.forEach(function (c) { if (c === "c") yes = true; else if (c !== "-") no = true; });
    return yes && no;
  }
  function statusBadge(c) {
    var name = CODE[c] || "missing";
    return el("span", { cls: "status s-" + c, "data-status": name, text: name });
  }

  // -- controls ------------------------------------------------------------------------------
  function fillSelect(select, values, keep) {
    select.textContent = "";
    values.forEach(function (v, i) { select.appendChild(el("option", { value: String(i), text: v })); });
    var at = values.indexOf(keep);
    select.value = String(at >= 0 ? at : 0);
    return values[at >= 0 ? at : 0];
  }
  function setupRun() {
    var run = runs[state.run];
    state.template = fillSelect($("f-template"), run.templates, state.template);
    state.profile = fillSelect($("f-profile"), run.profiles, state.profile);
    var differs = $("f-differs");
    differs.disabled = state.run === baseIndex;
    if (differs.disabled) differs.checked = false;
    $("differs-note").textContent = differs.disabled ? "(choose a trained run)" : "vs " + runs[baseIndex].name;
  }
  function readControls() {
    var run = runs[state.run];
    state.template = run.templates[Number($("f-template").value)];
    state.profile = run.profiles[Number($("f-profile").value)];
  }

  // -- filtering (definitions: rlvr_audit/report/problem_filters.py) ---------------------------
  function filtered() {
    var run = runs[state.run], base = runs[baseIndex];
    var t = state.template, p = state.profile;
    var disagree = $("f-disagree").checked, flips = $("f-flips").checked;
    var differs = $("f-differs").checked && state.run !== baseIndex;
    var status = $("f-status").value, needle = $("f-search").value.trim().toLowerCase();
    var want = status ? STATUS[status] : null;
    var out = [];
    for (var i = 0; i < P.ids.length; i++) {
      if (needle && P.ids[i].toLowerCase().indexOf(needle) < 0) continue;
      if (disagree && !mixed(run.profiles.map(function (q) { return code(run, t, q, i); }))) continue;
      if (flips && !mixed(run.templates.map(function (u) { return code(run, u, p, i); }))) continue;
      if (differs) {
        var a = code(base, t, p, i), b = code(run, t, p, i);
        if (a === "-" || b === "-" || (a === "c") === (b === "c")) continue;
      }
      if (want && code(run, t, p, i) !== want) continue;
      out.push(i);
    }
    return out;
  }

  function short(text, n) {
    if (text == null) return "";
    text = String(text);
    return text.length > n ? text.slice(0, n - 1) + "\u2026" : text;
  }

  function renderList() {
    var run = runs[state.run];
    var rows = state.rows;
    var pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    var start = state.page * PAGE_SIZE;
    var body = $("problem-rows");
    body.textContent = "";
    var frag = document.createDocumentFragment();
    rows.slice(start, start + PAGE_SIZE).forEach(function (i) {
      var c = code(run, state.template, state.profile, i);
      var extracted = ((run.extracted[state.template] || {})[state.profile] || [])[i];
      var open = el("button", { cls: "link", type: "button", "data-open": String(i), text: P.ids[i] });
      var tr = el("tr", { "data-id": P.ids[i], "data-index": String(i) },
        el("td", null, open), el("td", null, statusBadge(c)),
        el("td", { cls: "mono", text: short(extracted, 60) }), el("td", { cls: "mono", text: short(P.answer[i], 60) }));
      tr.title = short(P.question[i], 300);
      if (state.open === i) tr.className = "selected";
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    $("browser-count").textContent = rows.length + " of " + P.ids.length + " problems";
    $("page-info").textContent = "page " + (state.page + 1) + " of " + pages;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
  }

  function refresh() {
    readControls();
    state.rows = filtered();
    state.page = 0;
    renderList();
  }

  // -- one problem -------------------------------------------------------------------------------
  function gradesTable(run, templates, i) {
    var head = el("tr", null, el("th", { text: "profile" }));
    templates.forEach(function (t) { head.appendChild(el("th", { text: t })); });
    var body = el("tbody");
    run.profiles.forEach(function (p) {
      var tr = el("tr", { "data-profile": p }, el("th", { text: p }));
      templates.forEach(function (t) {
        var extracted = ((run.extracted[t] || {})[p] || [])[i];
        tr.appendChild(el("td", { "data-template": t }, statusBadge(code(run, t, p, i)), " ",
          el("span", { cls: "mono extracted", text: extracted == null ? "" : extracted })));
      });
      body.appendChild(tr);
    });
    return el("div", { cls: "scroll" }, el("table", { cls: "grades" }, el("thead", null, head), body));
  }
  function completionBlock(run, t, i) {
    var text = (run.completion[t] || [])[i];
    var finish = (run.finish[t] || [])[i];
    var pre = el("pre", { cls: "completion", "data-run": run.name, "data-template": t });
    pre.textContent = text == null ? "(no generation)" : text;
    return el("div", null, el("div", { cls: "note", text: "finish_reason: " + (finish == null ? "not recorded" : finish) }), pre);
  }
  function sideColumn(run, t, i, role) {
    var col = el("div", { cls: "side", "data-side": role },
      el("h4", { text: role + ": " + run.name + " \u2014 " + t }));
    if (run.templates.indexOf(t) < 0) {
      col.appendChild(el("p", { cls: "note", text: "template " + t + " is not in this run" }));
      return col;
    }
    col.appendChild(gradesTable(run, [t], i));
    col.appendChild(completionBlock(run, t, i));
    return col;
  }
  function openProblem(i) {
    state.open = i;
    var run = runs[state.run], base = runs[baseIndex];
    var other = state.run !== baseIndex ? run : (runs.length > 1 ? runs[baseIndex === 0 ? 1 : 0] : null);
    var box = $("problem-detail");
    box.textContent = "";
    box.setAttribute("data-id", P.ids[i]);
    box.appendChild(el("h3", null, "Problem ", el("span", { cls: "mono", text: P.ids[i] })));
    box.appendChild(el("div", { cls: "question", text: P.question[i] }));
    box.appendChild(el("p", null, "gold answer: ", el("span", { cls: "mono gold", text: P.answer[i] })));
    var t = state.template;
    var sides = el("div", { cls: "sides", "data-testid": "side-by-side" }, sideColumn(base, t, i, "base"));
    if (other) sides.appendChild(sideColumn(other, t, i, "trained"));
    box.appendChild(el("h4", { text: "Base and trained side by side, template " + t + " (sample 0)" }));
    box.appendChild(sides);
    box.appendChild(el("h4", { text: "Every template of " + run.name + ": status and extracted answer per profile" }));
    box.appendChild(gradesTable(run, run.templates, i));
    var list = el("div", { cls: "all-completions" });
    run.templates.forEach(function (u) {
      var d = el("details", { "data-template": u }, el("summary", { text: u }));
      d.addEventListener("toggle", function () {
        if (d.open && d.childNodes.length === 1) d.appendChild(completionBlock(run, u, i));
      });
      list.appendChild(d);
    });
    box.appendChild(list);
    renderList();
    box.scrollTop = 0;
    if (!window.matchMedia("(min-width: 1100px)").matches) box.scrollIntoView({ block: "start" });
  }

  // -- wiring ----------------------------------------------------------------------------------
  var runSelect = $("f-run");
  runs.forEach(function (r, i) {
    runSelect.appendChild(el("option", { value: String(i), text: r.name + (i === baseIndex ? " (base)" : "") }));
  });
  runSelect.value = String(state.run);
  setupRun();
  runSelect.addEventListener("change", function () {
    readControls();
    state.run = Number(runSelect.value);
    setupRun();
    refresh();
  });
  ["f-template", "f-profile", "f-status", "f-disagree", "f-flips", "f-differs"].forEach(function (id) {
    $(id).addEventListener("change", refresh);
  });
  $("f-search").addEventListener("input", refresh);
  $("prev").addEventListener("click", function () { state.page -= 1; renderList(); });
  $("next").addEventListener("click", function () { state.page += 1; renderList(); });
  $("problem-rows").addEventListener("click", function (ev) {
    var target = ev.target.closest("[data-open]");
    if (target) openProblem(Number(target.getAttribute("data-open")));
  });
  refresh();
  document.documentElement.setAttribute("data-ready", "1");
  window.rlvrAuditReadyMs = performance.now();
})();
