// The progress of an import running in the background (templates/imports/run.html).
// Without JavaScript the page offers a link to refresh it; with it, the page asks the server
// how far the import has got every second, shows that in the bar and the status line (read out
// politely by screen readers), and reloads itself to show the outcome once the import finishes.
export class ImportProgress {
  constructor (element, { interval = 1000 } = {}) {
    this.element = element
    this.url = element.dataset.progressUrl
    this.interval = interval
    this.bar = element.querySelector('progress')
    this.text = element.querySelector('[role="status"]')
    this.failures = 0
    // In the page's language (the page gives it); English if it does not.
    this.unreachable = element.dataset.unreachableText ||
      'The page could not check the import. Refresh the page to see how far it has got.'
  }

  start () {
    const refresh = this.element.querySelector('#import-progress-refresh')
    if (refresh) refresh.hidden = true
    this.timer = window.setTimeout(() => this.poll(), this.interval)
  }

  async poll () {
    try {
      const response = await fetch(this.url, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const progress = await response.json()
      if (progress.finished) {
        window.location.reload()
        return
      }
      this.show(progress)
      this.failures = 0
    } catch (error) {
      this.failures += 1
      if (this.failures >= 5) {
        this.text.textContent = this.unreachable
        return
      }
    }
    this.timer = window.setTimeout(() => this.poll(), this.interval)
  }

  show (progress) {
    if (progress.percent === null) {
      this.bar.removeAttribute('value')
    } else {
      this.bar.value = progress.percent
    }
    this.bar.textContent = progress.text
    if (this.text.textContent !== progress.text) this.text.textContent = progress.text
  }
}
