// Saving a form as its author's draft while they fill it in (issue 14: no report lost). A form
// with data-app-autosave is sent, as it is, to its own address with save=draft a few
// seconds after the person stops typing or changing it; the server answers with the draft's id
// (JSON), which goes into the form's hidden "draft" field so that the next save changes the same
// draft and filing deletes it. A short message under the buttons (a polite live region) says
// when it was last saved. Without JavaScript the form's Save as draft button does the same.
// A file of the service's own: the Content-Security-Policy refuses inline scripts.

const QUIET_MILLISECONDS = 5000

export class Autosave {
  constructor (form) {
    this.form = form
    this.status = form.querySelector('[data-autosave-status]')
    // Its words, in the page's language, come from the status element (templates/_draft_buttons.html).
    this.savedText = this.status ? this.status.dataset.savedText : null
    this.timer = null
    this.saving = false
    this.changed = false
  }

  start () {
    const later = () => this.later()
    this.form.addEventListener('input', later)
    this.form.addEventListener('change', later)
    // Filing or saving by hand: no save is left waiting.
    this.form.addEventListener('submit', () => window.clearTimeout(this.timer))
  }

  later () {
    this.changed = true
    window.clearTimeout(this.timer)
    this.timer = window.setTimeout(() => this.save(), QUIET_MILLISECONDS)
  }

  draftField () {
    let field = this.form.querySelector('input[name="draft"]')
    if (!field) {
      field = document.createElement('input')
      field.type = 'hidden'
      field.name = 'draft'
      this.form.appendChild(field)
    }
    return field
  }

  async save () {
    if (this.saving) {
      this.later()
      return
    }
    this.saving = true
    this.changed = false
    const body = new URLSearchParams(new FormData(this.form))
    body.set('save', 'draft')
    try {
      const response = await fetch(this.form.getAttribute('action') || window.location.pathname, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded'
        },
        body,
        redirect: 'manual'
      })
      if (response.ok) {
        const answer = await response.json()
        if (answer.draft_id) {
          this.draftField().value = String(answer.draft_id)
          const time = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
          this.say((this.savedText || 'Draft saved at %{time}').replace('%{time}', time))
        }
      }
      // Signed out, or the form could not be saved: say nothing; sending the form still keeps
      // everything typed (views/saved_forms.py).
    } catch (error) {
      // Offline for a moment: the next change tries again.
    } finally {
      this.saving = false
    }
  }

  say (text) {
    if (this.status) this.status.textContent = text
  }
}

export function initAutosave (root = document) {
  root.querySelectorAll('form[data-app-autosave]').forEach((form) => {
    new Autosave(form).start()
  })
}
