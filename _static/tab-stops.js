// A code block or output wider than the page scrolls sideways; a keyboard reader scrolls it
// once it is focusable. The theme makes such blocks focusable when the page loads and when
// the window is resized, but a block inside a collapsed solution or cell only overflows
// once the reader opens it: give it its tab stop then.
(() => {
  const selector = "pre, .cell_output > .output";
  const addTabStops = (root) => {
    root.querySelectorAll(selector).forEach((el) => {
      if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
        el.tabIndex = 0;
      }
    });
  };
  const later = () => requestAnimationFrame(() => addTabStops(document));
  // sphinx-togglebutton's buttons and titles, and every <details> of the page.
  document.addEventListener("click", (event) => {
    if (event.target.closest(".toggle-button, .admonition-title, summary")) later();
  });
  document.addEventListener("toggle", later, true);
})();
