// Every API error is shown beside the control its `parameter` names; anything else goes above the view.
const ALIASES = { limit: 'cursor' };

export function showError(error) {
  const parameter = ALIASES[error.parameter] ?? error.parameter;
  const target = (parameter && document.querySelector(`[data-error-for="${CSS.escape(parameter)}"]`))
    || document.querySelector('[data-error-for="general"]');
  target.textContent = error.message;
  const control = target.closest('.field, fieldset, form, .pager')?.querySelector('input, select');
  if (control && parameter) control.setAttribute('aria-invalid', 'true');
}

export function clearErrors() {
  for (const element of document.querySelectorAll('[data-error-for]')) element.textContent = '';
  for (const element of document.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
}
