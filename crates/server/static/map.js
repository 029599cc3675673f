// The network map: pan (drag), zoom (wheel, buttons), click an element for its data and
// time series, a time slider that redraws the map, and progress bars of running simulations.
// Without this script the map is a static drawing and the forms still work.
(function () {
  "use strict";

  function svgPoint(svg, clientX, clientY) {
    var matrix = svg.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    var point = svg.createSVGPoint();
    point.x = clientX;
    point.y = clientY;
    return point.matrixTransform(matrix.inverse());
  }

  function setUpMap(block) {
    var frame = block.querySelector("[data-map-frame]");
    var panel = block.querySelector("[data-element-panel]");
    if (!frame) return;
    var view = { scale: 1, x: 0, y: 0 };
    var drag = null;

    function svg() { return frame.querySelector("svg.dj-map"); }
    function apply() {
      var s = svg();
      var group = s && s.querySelector(".dj-map-view");
      if (group) {
        group.setAttribute("transform",
          "translate(" + view.x + " " + view.y + ") scale(" + view.scale + ")");
      }
    }
    function zoomAt(factor, x, y) {
      var scale = Math.min(64, Math.max(0.5, view.scale * factor));
      factor = scale / view.scale;
      view.x = x - (x - view.x) * factor;
      view.y = y - (y - view.y) * factor;
      view.scale = scale;
      apply();
    }
    function centre() {
      var box = svg() && svg().viewBox.baseVal;
      return box ? { x: box.width / 2, y: box.height / 2 } : { x: 0, y: 0 };
    }

    frame.addEventListener("wheel", function (event) {
      var s = svg();
      if (!s) return;
      event.preventDefault();
      var p = svgPoint(s, event.clientX, event.clientY);
      zoomAt(event.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
    }, { passive: false });

    frame.addEventListener("pointerdown", function (event) {
      var s = svg();
      if (!s || event.button !== 0) return;
      var p = svgPoint(s, event.clientX, event.clientY);
      drag = { x: p.x, y: p.y, startX: view.x, startY: view.y, moved: false };
    });
    frame.addEventListener("pointermove", function (event) {
      var s = svg();
      if (!drag || !s) return;
      var p = svgPoint(s, event.clientX, event.clientY);
      var dx = p.x - drag.x, dy = p.y - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        view.x = drag.startX + dx;
        view.y = drag.startY + dy;
        apply();
      }
    });
    window.addEventListener("pointerup", function () {
      if (drag && drag.moved) block.dataset.justDragged = "1";
      drag = null;
    });

    block.querySelectorAll("[data-map-action]").forEach(function (button) {
      button.addEventListener("click", function () {
        var c = centre();
        var action = button.getAttribute("data-map-action");
        if (action === "zoom-in") zoomAt(1.5, c.x, c.y);
        else if (action === "zoom-out") zoomAt(1 / 1.5, c.x, c.y);
        else { view = { scale: 1, x: 0, y: 0 }; apply(); }
      });
    });

    frame.addEventListener("click", function (event) {
      if (block.dataset.justDragged) { delete block.dataset.justDragged; return; }
      var element = event.target.closest("[data-id]");
      if (!element || !panel) return;
      var kindHolder = element.closest("[data-kind]");
      var kind = kindHolder ? kindHolder.getAttribute("data-kind") : "";
      var isLink = ["link", "pump", "valve"].indexOf(kind) >= 0;
      showElement(element.getAttribute("data-id"), isLink ? "link" : "node");
      frame.querySelectorAll(".dj-selected").forEach(function (e) { e.classList.remove("dj-selected"); });
      element.classList.add("dj-selected");
    });

    function showElement(id, kind) {
      var run = block.getAttribute("data-run");
      var url = "/api/v1/network/" + kind + "s/" + encodeURIComponent(id) + (run ? "?run=" + run : "");
      panel.textContent = "…";
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        panel.textContent = "";
        if (!answer.ok) { panel.textContent = answer.body.message || "error"; return; }
        var detail = answer.body;
        var heading = document.createElement("h3");
        heading.textContent = detail.kind + " " + detail.id;
        panel.appendChild(heading);
        if (detail.asset) {
          var asset = document.createElement("p");
          asset.textContent = detail.asset.code + " · " + (detail.asset.name_zh || "") + " " + detail.asset.name;
          panel.appendChild(asset);
        }
        var table = document.createElement("table");
        table.className = "element-properties";
        Object.keys(detail.properties).forEach(function (key) {
          var row = table.insertRow();
          row.insertCell().textContent = key;
          var value = detail.properties[key];
          row.insertCell().textContent = typeof value === "number" ? (+value.toPrecision(6)).toString() : String(value);
        });
        panel.appendChild(table);
        if (run && detail.series && detail.series.length) {
          var charts = document.createElement("div");
          charts.className = "element-charts";
          panel.appendChild(charts);
          fetch("/map/charts?kind=" + kind + "&id=" + encodeURIComponent(id) + "&run=" + run,
            { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.text() : ""; })
            .then(function (svgText) { charts.innerHTML = svgText; });
        }
      }).catch(function () { panel.textContent = "error"; });
    }

    var slider = block.querySelector("[data-map-slider]");
    var timeOutput = block.querySelector("[data-map-time]");
    if (slider) {
      var pending = null;
      slider.addEventListener("input", function () {
        var run = block.getAttribute("data-run");
        var quantity = block.getAttribute("data-quantity") || "";
        var period = slider.value;
        if (pending) pending.abort();
        pending = new AbortController();
        fetch("/map.svg?run=" + run + "&quantity=" + encodeURIComponent(quantity) + "&period=" + period,
          { credentials: "same-origin", signal: pending.signal })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (text) {
            if (!text) return;
            frame.innerHTML = text;
            apply();
            var title = frame.querySelector("svg title");
            if (timeOutput && title) {
              var match = /(\d+:\d\d)\s*$/.exec(title.textContent);
              if (match) timeOutput.textContent = match[1];
            }
          }).catch(function () {});
      });
    }
  }

  function pollProgress(holder) {
    var id = holder.getAttribute("data-run-progress");
    var bar = holder.querySelector("progress");
    var text = holder.querySelector("[data-progress-text]");
    function tick() {
      fetch("/api/v1/runs/" + id, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (run) {
          if (bar) bar.value = run.progress;
          if (text) text.textContent = run.status + " " + Math.round(run.progress * 100) + " %";
          holder.setAttribute("data-status", run.status);
          if (run.status === "done" || run.status === "failed") {
            window.location.reload();
          } else {
            setTimeout(tick, 1000);
          }
        }).catch(function () { setTimeout(tick, 3000); });
    }
    setTimeout(tick, 500);
  }

  document.querySelectorAll(".map-block").forEach(setUpMap);
  document.querySelectorAll("[data-run-progress]").forEach(function (holder) {
    var status = holder.getAttribute("data-status");
    if (status === "queued" || status === "running") pollProgress(holder);
  });
})();
