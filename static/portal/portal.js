// Progressive enhancement of the portal pages; everything works without it, only less
// conveniently. Served by the app, never inline: a Content Security Policy will allow only
// scripts from the portal's own origin.
//
// Inactive Panopto buttons (aria-disabled="true", not `disabled`, so they stay focusable): their
// reason is text beside them, with or without script; with script a click does not submit the
// form (whose answer would be the refusal page) but emphasises the reason and announces it.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // A page with launch buttons is sent with Cache-Control: no-store, so Back asks for it again;
  // a browser that still restores it from its back/forward cache reloads it here: after a
  // launch the folder may be open, and the page's "not opened yet" would be stale.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.querySelector("form.launch")) {
      window.location.reload();
    }
  });

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
    var reason = document.getElementById(button.getAttribute("data-reason"));
    if (!feedback || !reason) {
      return;
    }
    reason.classList.add("is-emphasised");
    // Empty the live region first and fill it a moment later, so that screen readers announce
    // the message again on a second click.
    feedback.textContent = "";
    window.setTimeout(function () {
      feedback.textContent = reason.textContent.trim();
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
})();
