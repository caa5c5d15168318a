import Foundation

/// The dashboard's one script (`/dashboard/dashboard.js`), served by Perch like its stylesheet — no CDN, no build. The
/// pages work without it (forms post, the server counts and renders); it adds what needs no reload: a filter's live
/// count and parse error as it is typed, the composer's live message preview, and a running campaign's progress every
/// few seconds. Its requests carry the session's CSRF token (`X-CSRF-Token`) from the page's `meta[name=csrf-token]`.
enum DashboardScript {
    static let source = #"""
    (() => {
      "use strict";
      const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
      const post = (url, body) => fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)
      });
      const debounce = (fn, ms) => { let timer; return () => { clearTimeout(timer); timer = setTimeout(fn, ms); }; };
      const format = n => typeof n === "number" ? n.toLocaleString("en-US") : "—";

      // A filter's live count of installations and people, and its parse error at its position.
      for (const area of document.querySelectorAll('textarea[data-preview="segment"]')) {
        const scope = area.closest("fieldset") || area.closest("form") || document;
        const error = document.getElementById(area.id + "-parse");
        const metric = name => scope.querySelector('[data-metric="' + name + '"]');
        const show = (installations, people) => {
          for (const [name, value] of [["installations", installations], ["people", people]]) {
            const element = metric(name);
            if (!element) continue;
            element.textContent = format(value);
            if (typeof value === "number") element.dataset.value = String(value); else delete element.dataset.value;
          }
        };
        const showError = (problem, filter) => {
          if (!error) return;
          error.hidden = false;
          error.dataset.position = String(problem.position);
          error.replaceChildren();
          const message = document.createElement("span");
          message.className = "message";
          message.textContent = problem.message;
          const at = document.createElement("code");
          at.className = "at";
          const chars = Array.from(filter), cut = Math.min(Math.max(problem.position, 0), chars.length);
          at.append(chars.slice(0, cut).join(""));
          const mark = document.createElement("mark");
          mark.textContent = chars.slice(cut).join("") || "␣";
          at.append(mark);
          error.append(message, at);
          area.setAttribute("aria-invalid", "true");
        };
        const hideError = () => {
          if (error) { error.hidden = true; error.replaceChildren(); delete error.dataset.position; }
          area.removeAttribute("aria-invalid");
        };
        let sequence = 0;
        const update = debounce(async () => {
          const mine = ++sequence, filter = area.value;
          if (!filter.trim()) { show(null, null); hideError(); return; }
          scope.setAttribute("aria-busy", "true");
          try {
            const response = await post("/dashboard/preview/segment", {filter});
            const answer = await response.json();
            if (mine !== sequence) return;
            if (answer.error && typeof answer.error.position === "number") { show(null, null); showError(answer.error, filter); }
            else if (answer.error) { show(null, null); showError({message: answer.error.message, position: 0}, filter); }
            else { hideError(); show(answer.installations, answer.people); }
          } catch (failure) {
            if (mine === sequence) show(null, null);
          } finally {
            if (mine === sequence) scope.removeAttribute("aria-busy");
          }
        }, 300);
        area.addEventListener("input", update);
        const first = metric("installations");
        if (area.value.trim() && first && !first.dataset.value) update();
      }

      // The composer's message preview for a sample person per platform.
      const composer = document.querySelector("form[data-composer]");
      const target = composer && composer.querySelector("[data-preview-target]");
      if (composer && target) {
        let sequence = 0;
        const refresh = debounce(async () => {
          const mine = ++sequence, fields = {};
          for (const [name, value] of new FormData(composer)) {
            if (name !== "csrf" && name !== "action" && typeof value === "string") fields[name] = value;
          }
          try {
            const response = await post("/dashboard/preview/message", fields);
            const answer = await response.json();
            if (mine !== sequence) return;
            if (answer.html !== undefined) target.innerHTML = answer.html;  // HTML escaped by the server
          } catch (failure) { /* the last preview stays */ }
        }, 400);
        composer.addEventListener("input", event => {
          const name = event.target && event.target.name || "";
          if (event.target.hasAttribute("data-message") || name.startsWith("audience.") || name.startsWith("variants[")) refresh();
        });
      }

      // A running or scheduled campaign's status, progress and report, fetched again every few seconds until it is done.
      const live = document.querySelector("[data-refresh]");
      if (live) {
        const seconds = Math.max(1, Number(live.dataset.refresh) || 3);
        const tick = async () => {
          try {
            const response = await fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}});
            if (!response.ok) return setTimeout(tick, seconds * 1000);
            const page = new DOMParser().parseFromString(await response.text(), "text/html");
            let again = false;
            for (const id of ["controls", "report"]) {
              const now = document.getElementById(id), next = page.getElementById(id);
              if (!now || !next) continue;
              const focused = now.contains(document.activeElement) && document.activeElement.dataset.action;
              now.replaceWith(document.importNode(next, true));
              if (focused) { const button = document.querySelector('#' + id + ' [data-action="' + focused + '"]'); if (button) button.focus(); }
              if (next.hasAttribute("data-refresh")) again = true;
            }
            if (again) setTimeout(tick, seconds * 1000);
          } catch (failure) {
            setTimeout(tick, seconds * 1000);
          }
        };
        setTimeout(tick, seconds * 1000);
      }
    })();
    """#
}
