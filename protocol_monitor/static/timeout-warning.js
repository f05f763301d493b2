// The GOV.UK timeout warning: before a session ends for want of use, a modal dialog says so and
// offers "Stay signed in". Its settings are the dialog's data attributes, and this is a file of
// the service's own: the Content-Security-Policy refuses inline scripts.
//
// The timer asks the server how long is left (/session/status, which does not count as a use)
// before it warns, so another tab in use keeps this one from warning. When the time runs out the
// page is left as it is: anything typed on it is kept when it is sent (views/saved_forms.py).

// The words are the dialog's (templates/_timeout_warning.html), in the page's language: each
// plural form of "%{count} minutes" and "%{count} seconds" by Intl.PluralRules category.
function forms (dialog, name) {
  try {
    return JSON.parse(dialog.dataset[name] || '{}')
  } catch (error) {
    return {}
  }
}

function plural (words, count) {
  const category = new Intl.PluralRules(document.documentElement.lang || 'en').select(count)
  const text = words[category] || words.other || String(count)
  return text.replace('%{count}', String(count))
}

export class TimeoutWarning {
  constructor (dialog) {
    this.dialog = dialog
    this.warnSeconds = Number(dialog.dataset.warnSeconds)
    this.statusUrl = dialog.dataset.statusUrl
    this.keepAliveUrl = dialog.dataset.keepAliveUrl
    this.csrfToken = dialog.dataset.csrfToken
    this.countdown = dialog.querySelector('[data-timeout-countdown]')
    this.announcement = dialog.querySelector('[data-timeout-announcement]')
    this.warning = dialog.querySelector('[data-timeout-warning]')
    this.ended = dialog.querySelector('[data-timeout-ended]')
    this.minutes = forms(dialog, 'minutes')
    this.seconds = forms(dialog, 'seconds')
    this.sentence = dialog.dataset.announcement || '%{time}'
    this.timer = null
    this.ticker = null
  }

  describe (seconds) {
    if (seconds >= 60) return plural(this.minutes, Math.ceil(seconds / 60))
    return plural(this.seconds, seconds)
  }

  start () {
    this.dialog.querySelector('[data-timeout-stay]').addEventListener('click', () => this.stay())
    this.dialog.querySelector('[data-timeout-close]').addEventListener('click', () => this.close())
    // Escape is "stay signed in" while the warning shows; afterwards it only closes.
    this.dialog.addEventListener('cancel', (event) => {
      event.preventDefault()
      if (this.ended.hidden) this.stay()
      else this.close()
    })
    this.schedule(Number(this.dialog.dataset.idleSeconds))
  }

  schedule (secondsLeft) {
    window.clearTimeout(this.timer)
    const wait = Math.max(0, secondsLeft - this.warnSeconds)
    this.timer = window.setTimeout(() => this.check(), wait * 1000)
  }

  async check () {
    let left = 0
    try {
      const response = await fetch(this.statusUrl, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      })
      left = (await response.json()).seconds_left
    } catch (error) {
      left = this.warnSeconds // the server did not answer: warn all the same
    }
    if (left > this.warnSeconds + 5) this.schedule(left)
    else if (left <= 0) this.showEnded()
    else this.showWarning(left)
  }

  showWarning (left) {
    this.warning.hidden = false
    this.ended.hidden = true
    this.dialog.setAttribute('aria-labelledby', 'timeout-heading')
    this.deadline = Date.now() + left * 1000
    this.tick(true)
    window.clearInterval(this.ticker)
    this.ticker = window.setInterval(() => this.tick(false), 1000)
    if (!this.dialog.open) this.dialog.showModal()
  }

  tick (first) {
    const left = Math.max(0, Math.round((this.deadline - Date.now()) / 1000))
    if (left <= 0) {
      this.showEnded()
      return
    }
    this.countdown.textContent = this.describe(left)
    // Screen readers hear the time at the start, then each minute and every 15 seconds in the
    // last minute, not every second.
    if (first || (left >= 60 ? left % 60 === 0 : left % 15 === 0)) {
      this.announcement.textContent = this.sentence.replace('%{time}', this.describe(left))
    }
  }

  showEnded () {
    window.clearInterval(this.ticker)
    window.clearTimeout(this.timer)
    this.warning.hidden = true
    this.ended.hidden = false
    this.dialog.setAttribute('aria-labelledby', 'timeout-ended-heading')
    if (!this.dialog.open) this.dialog.showModal()
    this.dialog.querySelector('[data-timeout-close]').focus()
  }

  async stay () {
    window.clearInterval(this.ticker)
    let ok = false
    try {
      const response = await fetch(this.keepAliveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf_token: this.csrfToken }),
        redirect: 'manual'
      })
      ok = response.status === 204
    } catch (error) {
      ok = false
    }
    if (!ok) {
      this.showEnded()
      return
    }
    this.dialog.close()
    this.check()
  }

  close () {
    this.dialog.close()
  }
}

export function initTimeoutWarning (root = document) {
  const dialog = root.getElementById('timeout-warning')
  if (dialog && typeof dialog.showModal === 'function') {
    new TimeoutWarning(dialog).start()
  }
}
