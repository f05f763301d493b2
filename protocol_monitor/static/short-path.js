// The short path for a missing or absent call-out (templates/callouts/form.html): choosing one
// of those categories hides the questions it does not need; choosing another shows them again.
// Without JavaScript every question shows and the server ignores the ones that do not apply.
export function initShortPath () {
  document.querySelectorAll('form[data-module="app-short-path"]').forEach((form) => {
    const excluded = (form.dataset.excludedCategories || '').split(' ').filter(Boolean)
    const sections = form.querySelectorAll('[data-app-not-for-excluded]')
    const update = () => {
      const chosen = form.querySelector('input[name="category"]:checked')
      const short = Boolean(chosen && excluded.includes(chosen.value))
      sections.forEach((section) => { section.hidden = short })
    }
    form.querySelectorAll('input[name="category"]').forEach((radio) => {
      radio.addEventListener('change', update)
    })
    update()
  })
}
