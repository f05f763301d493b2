// "Print this page" buttons: window.print() from a script file of the service's own, because the
// Content-Security-Policy refuses inline handlers (an onclick attribute never runs). The button is
// hidden until this runs, so without JavaScript nobody meets a button that does nothing.
export function initPrintButtons (root = document) {
  root.querySelectorAll('[data-module="app-print"]').forEach((button) => {
    button.hidden = false
    button.addEventListener('click', () => window.print())
  })
}
