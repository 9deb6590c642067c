// Progressive enhancement of the overview: moving the history slider re-renders the answers
// as of the chosen day without a full page load. Without JavaScript the form does the same.
(function () {
  "use strict";
  var form = document.getElementById("replay-form");
  var slider = document.getElementById("step");
  var output = document.getElementById("step-day");
  var dateInput = document.getElementById("as_of");
  if (!form || !slider || !output || !window.fetch || !window.DOMParser) {
    return;
  }
  var days = (slider.getAttribute("data-days") || "").split(",");
  var pending = null;

  function dayOf(index) {
    return days[Number(index)] || "";
  }

  function show(index) {
    var day = dayOf(index);
    output.textContent = day;
    slider.setAttribute("aria-valuetext", day);
  }

  function load(index) {
    var day = dayOf(index);
    var url = "/?as_of=" + encodeURIComponent(day);
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    document.body.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", signal: pending.signal })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["replay"].forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next) {
            now.replaceWith(next);
          }
        });
        var heading = document.querySelector("main h1");
        var freshHeading = fresh.querySelector("main h1");
        if (heading && freshHeading) {
          heading.innerHTML = freshHeading.innerHTML;
        }
        document.title = fresh.title;
        if (dateInput) {
          dateInput.value = day;
        }
        history.replaceState(null, "", url);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          form.submit();
        }
      })
      .finally(function () {
        document.body.removeAttribute("aria-busy");
      });
  }

  slider.addEventListener("input", function () {
    show(slider.value);
  });
  slider.addEventListener("change", function () {
    load(slider.value);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(slider.value);
  });
})();
