// The small form that asks for a key after a 401. Calls that fail together wait for the same answer.
let pending = null;

export function askForKey(wasWrong) {
  if (pending) return pending;
  const dialog = document.getElementById('key-dialog');
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  document.getElementById('key-error').textContent = wasWrong ? 'That key was refused; try another.' : '';
  dialog.hidden = false;
  input.value = '';
  input.focus();
  pending = new Promise((resolve) => {
    form.addEventListener('submit', function submitted(event) {
      event.preventDefault();
      if (!input.value) return;
      form.removeEventListener('submit', submitted);
      dialog.hidden = true;
      pending = null;
      resolve(input.value);
    });
  });
  return pending;
}
