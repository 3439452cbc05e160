// Progressive enhancement of the portal pages; everything works without it, only less
// conveniently. Served by the app, never inline: a Content Security Policy will allow only
// scripts from the portal's own origin.
//
// Inactive Panopto buttons (aria-disabled="true", not `disabled`, so they stay focusable):
// without script their reason is a visible note under the button; with script it becomes a
// tooltip shown on hover and on keyboard focus (CSS), dismissible with Escape, and a click shows
// the reason as a status message instead of submitting the form.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // On a phone the menu starts folded into its "Menu" row (without script it stays open).
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.querySelector(".main-menu__disclosure");
    if (menu && window.matchMedia("(max-width: 40rem)").matches) {
      menu.removeAttribute("open");
    }
  });

  function inactiveButton(target) {
    return target instanceof Element
      ? target.closest('button[aria-disabled="true"][data-feedback]')
      : null;
  }

  function showFeedback(button) {
    var feedback = document.getElementById(button.getAttribute("data-feedback"));
    var tooltip = document.getElementById(button.getAttribute("data-tooltip"));
    if (!feedback || !tooltip) {
      return;
    }
    // Empty the live region first and fill it a moment later, so that screen readers announce
    // the message again on a second click.
    feedback.textContent = "";
    feedback.classList.add("is-shown");
    // The message is now on the page; the tooltip repeating it would only cover it.
    var anchor = button.closest(".tooltip-anchor");
    if (anchor) {
      anchor.classList.add("is-dismissed");
    }
    window.setTimeout(function () {
      feedback.textContent = tooltip.textContent.trim();
    }, 50);
  }

  document.addEventListener("click", function (event) {
    var button = inactiveButton(event.target);
    if (button) {
      event.preventDefault();
      showFeedback(button);
    }
  });

  // Launch forms that open Panopto in a new tab (target="_blank", set by the registration):
  // once the form is sent, this page says where Panopto went, as a status message that screen
  // readers announce. The launch itself is the same POST, with every check of the portal.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("target") !== "_blank") {
      return;
    }
    var note = document.getElementById(form.getAttribute("data-opened-note"));
    if (!note) {
      return;
    }
    note.textContent = "";
    note.classList.add("is-shown");
    window.setTimeout(function () {
      note.textContent = note.getAttribute("data-message");
    }, 50);
  });

  // Escape hides the tooltip under the pointer or focus until the pointer or focus leaves
  // (WCAG 2.2 SC 1.4.13: content on hover or focus is dismissible).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll(".tooltip-anchor:hover, .tooltip-anchor:focus-within").forEach(
      function (anchor) {
        anchor.classList.add("is-dismissed");
      }
    );
  });

  // mouseleave does not bubble; a capturing listener still sees it for every element.
  document.addEventListener(
    "mouseleave",
    function (event) {
      var anchor = event.target;
      if (anchor instanceof Element && anchor.classList.contains("tooltip-anchor")) {
        anchor.classList.remove("is-dismissed");
      }
    },
    true
  );
  document.addEventListener("focusout", function (event) {
    var anchor = event.target instanceof Element ? event.target.closest(".tooltip-anchor") : null;
    if (anchor && !anchor.contains(event.relatedTarget)) {
      anchor.classList.remove("is-dismissed");
    }
  });
})();
