// The one browser script of the server-rendered pages, served as /assets/auth.js (page.routes.ts).
// Plain JavaScript, no build step. It drives the forms marked data-flow="…" by calling the
// Frontend API on this origin, form-encoded, with the __client cookie (credentials: same-origin):
//   ticket-sign-up  POST /v1/client/sign_ups {strategy: ticket, ticket, first_name, last_name, password}
//   ticket-sign-in  POST /v1/client/sign_ins {strategy: ticket, ticket}
//   sign-up         POST /v1/client/sign_ups {email_address, password, …}, then prepare_verification
//   sign-up-code    POST /v1/client/sign_ups/:id/attempt_verification {strategy: email_code, code}
//   sign-in         POST /v1/client/sign_ins {identifier, password}
//   sign-out        DELETE /v1/client/sessions, then /sign-in
// Errors are shown by their long_message in the form's role="alert" element (as text, never HTML).
// When done it goes to the form's data-next, which the server already limited to this origin; it is
// checked again here, and anything on another origin becomes "/".
'use strict';

(function () {
  var FALLBACK = 'Something went wrong. Please try again.';
  /** Set once the page is navigating away: its buttons stay disabled. */
  var leaving = false;

  function ApiErrors(errors) {
    this.errors = errors;
  }

  /** This origin's URL for `raw`, or "/" for anything that would leave it. */
  function sameOrigin(raw) {
    try {
      var u = new URL(raw || '/', window.location.href);
      return u.origin === window.location.origin ? u.href : '/';
    } catch (_e) {
      return '/';
    }
  }

  function ticketFromUrl() {
    return new URLSearchParams(window.location.search).get('__clerk_ticket') || '';
  }

  /**
   * One Frontend API call. The pages send no Referer (their URL may carry a ticket). Under the
   * page's no-referrer policy the Fetch standard has a POST say `Origin: null`, which the Frontend
   * API refuses; so this request gets its own policy (same-origin) and an empty referrer: it sends
   * its real Origin and still no Referer.
   */
  async function api(method, path, fields) {
    var init = {
      method: method,
      credentials: 'same-origin',
      referrer: '',
      referrerPolicy: 'same-origin',
      headers: { accept: 'application/json' },
    };
    if (fields) {
      var form = new URLSearchParams();
      Object.keys(fields).forEach(function (k) {
        var v = fields[k];
        if (v !== undefined && v !== null && v !== '') form.append(k, String(v));
      });
      init.headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = form.toString();
    }
    var res;
    try {
      res = await fetch(path, init);
    } catch (_e) {
      throw new ApiErrors([{ long_message: 'Could not reach the server. Check your connection and try again.' }]);
    }
    var body = null;
    try {
      body = await res.json();
    } catch (_e) {
      body = null;
    }
    if (!res.ok) {
      var errors = body && Array.isArray(body.errors) && body.errors.length > 0 ? body.errors : [{ long_message: FALLBACK }];
      throw new ApiErrors(errors);
    }
    return body || {};
  }

  function value(form, name) {
    var el = form.elements.namedItem(name);
    return el && 'value' in el ? el.value : '';
  }

  function showError(form, err) {
    var box = form.querySelector('[data-error]');
    var errors = err instanceof ApiErrors ? err.errors : [{ long_message: FALLBACK }];
    if (!(err instanceof ApiErrors)) console.error(err);
    var text = errors
      .map(function (e) { return (e && (e.long_message || e.message)) || FALLBACK; })
      .join(' ');
    if (box) box.textContent = text;
    // Point at the field the first error names, when the form has it.
    var param = errors[0] && errors[0].meta && errors[0].meta.param_name;
    var input = param ? form.elements.namedItem(param) : null;
    if (input && typeof input.focus === 'function' && !input.readOnly) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  function clearError(form) {
    var box = form.querySelector('[data-error]');
    if (box) box.textContent = '';
    form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
  }

  function go(form) {
    leaving = true;
    window.location.assign(sameOrigin(form.dataset.next));
  }

  /** A finished sign-up or sign-in: on to the target; anything else is a step this page cannot do. */
  function finish(form, resource) {
    if (resource && resource.status === 'complete') return go(form);
    throw new ApiErrors([{ long_message: 'This account needs another step to sign in, which this page does not support yet.' }]);
  }

  var flows = {
    'ticket-sign-up': async function (form) {
      var r = await api('POST', '/v1/client/sign_ups', {
        strategy: 'ticket',
        ticket: ticketFromUrl(),
        first_name: value(form, 'first_name').trim(),
        last_name: value(form, 'last_name').trim(),
        password: value(form, 'password'),
      });
      finish(form, r.response);
    },

    'ticket-sign-in': async function (form) {
      var r = await api('POST', '/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketFromUrl() });
      finish(form, r.response);
    },

    'sign-in': async function (form) {
      var r = await api('POST', '/v1/client/sign_ins', { identifier: value(form, 'identifier').trim(), password: value(form, 'password') });
      finish(form, r.response);
    },

    'sign-up': async function (form) {
      var r = await api('POST', '/v1/client/sign_ups', {
        email_address: value(form, 'email_address').trim(),
        password: value(form, 'password'),
        first_name: value(form, 'first_name').trim(),
        last_name: value(form, 'last_name').trim(),
      });
      var signUp = r.response;
      if (signUp && signUp.status === 'complete') return go(form);
      var prepared = await api('POST', '/v1/client/sign_ups/' + encodeURIComponent(signUp.id) + '/prepare_verification', { strategy: 'email_code' });
      var codeForm = document.querySelector('form[data-flow="sign-up-code"]');
      if (!codeForm) return;
      codeForm.dataset.signUpId = signUp.id;
      var email = codeForm.querySelector('[data-code-email]');
      if (email) email.textContent = (prepared.response && prepared.response.email_address) || signUp.email_address || '';
      form.hidden = true;
      codeForm.hidden = false;
      var code = codeForm.elements.namedItem('code');
      if (code) code.focus();
    },

    'sign-up-code': async function (form) {
      var id = form.dataset.signUpId || '';
      var r = await api('POST', '/v1/client/sign_ups/' + encodeURIComponent(id) + '/attempt_verification', {
        strategy: 'email_code',
        code: value(form, 'code').trim(),
      });
      finish(form, r.response);
    },

    'sign-out': async function () {
      await api('DELETE', '/v1/client/sessions');
      leaving = true;
      window.location.assign('/sign-in');
    },
  };

  function busy(form, on) {
    form.setAttribute('aria-busy', on ? 'true' : 'false');
    form.querySelectorAll('button').forEach(function (b) { b.disabled = on; });
  }

  function wire(form) {
    var flow = flows[form.dataset.flow];
    if (!flow) return;
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      if (form.getAttribute('aria-busy') === 'true') return;
      clearError(form);
      busy(form, true);
      try {
        await flow(form);
      } catch (err) {
        showError(form, err);
      }
      if (!leaving) busy(form, false);
    });
  }

  function wireResend(button) {
    var form = button.closest('form');
    if (!form) return;
    button.addEventListener('click', async function () {
      var status = form.querySelector('[data-status]');
      clearError(form);
      if (status) status.textContent = '';
      busy(form, true);
      try {
        await api('POST', '/v1/client/sign_ups/' + encodeURIComponent(form.dataset.signUpId || '') + '/prepare_verification', { strategy: 'email_code' });
        if (status) status.textContent = 'We sent a new code.';
      } catch (err) {
        showError(form, err);
      }
      busy(form, false);
    });
  }

  document.querySelectorAll('form[data-flow]').forEach(wire);
  document.querySelectorAll('[data-resend]').forEach(wireResend);
  document.querySelectorAll('[data-needs-js]').forEach(function (b) { b.disabled = false; });
})();
