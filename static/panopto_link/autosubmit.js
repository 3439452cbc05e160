// Submits the LTI form post as soon as the page loads; the visible button stays for browsers
// without script.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("lti-form-post");
  if (form) {
    form.submit();
  }
});
