import { initAll } from '/govuk/govuk-frontend.min.js'
import { initAutosave } from './autosave.js'
import { ImportProgress } from './import-progress.js'
import { initPrintButtons } from './print.js'
import { initShortPath } from './short-path.js'
import { initTimeoutWarning } from './timeout-warning.js'

initAll()
initShortPath()
document.querySelectorAll('[data-module="app-import-progress"]').forEach((element) => {
  new ImportProgress(element).start()
})
initPrintButtons()
initTimeoutWarning()
initAutosave()
