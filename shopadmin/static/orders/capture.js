/* The order capture screen (orders/admin/capture.html), plain JavaScript.
 *
 * Without it the screen still works: "Find" and "Add a line" post the form back with
 * everything typed kept. With it: a customer lookup and a product lookup per line (the
 * scoped JSON endpoints /admin/orders/lookup/...), rows added and removed in place, and
 * the as-you-type override warning of the edit screen.
 */
(function () {
  'use strict';
  var form = document.getElementById('order-capture');
  if (!form) { return; }
  var text = JSON.parse(document.getElementById('capture-text').textContent);
  var limits = JSON.parse(form.dataset.overrideLimits || '{}');
  var maxLines = parseInt(form.dataset.maxLines, 10) || 500;
  var shopSelect = form.querySelector('select[name=shop]');
  var tbody = form.querySelector('#capture-lines tbody');

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function fetchItems(url, q) {
    var target = new URL(url, window.location.href);
    target.searchParams.set('shop', shopSelect.value);
    target.searchParams.set('q', q);
    return fetch(target, {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) { return data.items || []; })
      .catch(function () { return []; });
  }

  // A result list under an input: typing searches, arrows move, Enter or a click chooses.
  function attachLookup(options) {
    var input = options.input, list = options.list;
    var items = [], active = -1, sequence = 0;

    function close() {
      list.textContent = '';
      list.hidden = true;
      items = [];
      active = -1;
    }

    function show(found) {
      list.textContent = '';
      items = found;
      active = -1;
      if (!found.length) {
        var empty = document.createElement('li');
        empty.className = 'list-group-item small text-muted';
        empty.textContent = text.nothing;
        list.appendChild(empty);
      }
      found.forEach(function (item) {
        var li = document.createElement('li');
        li.className = 'list-group-item list-group-item-action small lookup-item';
        li.setAttribute('role', 'option');
        li.dataset.testid = options.testid;
        options.render(li, item);
        li.addEventListener('mousedown', function (event) {
          event.preventDefault();  // keep the focus: blur would close the list first
          options.choose(item);
          close();
        });
        list.appendChild(li);
      });
      list.hidden = false;
      if (options.results) { options.results(found); }
    }

    function search() {
      var q = input.value.trim();
      if (q.length < options.minLength) { close(); return; }
      var mine = ++sequence;
      fetchItems(options.url, q).then(function (found) {
        if (mine === sequence) { show(found); }
      });
    }

    input.addEventListener('input', debounce(search, 200));
    input.addEventListener('blur', function () { setTimeout(close, 150); });
    input.addEventListener('keydown', function (event) {
      var shown = list.querySelectorAll('.lookup-item');
      if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && shown.length) {
        event.preventDefault();
        active = (active + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
        shown.forEach(function (li, i) { li.classList.toggle('active', i === active); });
      } else if (event.key === 'Enter') {
        event.preventDefault();  // Enter picks; only the Save button saves
        if (items.length) {
          options.choose(items[active >= 0 ? active : 0]);
          close();
        } else {
          search();
        }
      } else if (event.key === 'Escape') {
        close();
      }
    });
    return {search: search, close: close};
  }

  function small(textContent, className) {
    var element = document.createElement('small');
    element.className = className || 'text-muted ml-1';
    element.textContent = textContent;
    return element;
  }

  // -- the customer ------------------------------------------------------------------------

  var customerSearch = form.querySelector('input[name=customer_q]');
  var chosen = document.getElementById('chosen-customer');
  var customerLookup = attachLookup({
    input: customerSearch,
    list: document.getElementById('customer-results'),
    url: form.dataset.customerLookup,
    minLength: 2,
    testid: 'customer-option',
    render: function (li, customer) {
      li.textContent = customer.label;
      if (customer.note) { li.appendChild(small(customer.note)); }
    },
    choose: function (customer) {
      // A no-JavaScript search's choices (if any) make way for the one hidden field.
      var matches = form.querySelector('.customer-matches');
      if (matches) { matches.remove(); }
      var field = form.querySelector('input[name=customer_id]');
      if (!field) {
        field = document.createElement('input');
        field.type = 'hidden';
        field.name = 'customer_id';
        form.appendChild(field);
      }
      field.value = customer.id;
      chosen.querySelector('.chosen-name').textContent = customer.label;
      chosen.querySelector('.chosen-no').textContent = text.customer_no.replace('{id}', customer.id) +
        (customer.note ? ' · ' + customer.note : '');
      chosen.classList.remove('d-none');
      customerSearch.value = '';
    }
  });
  form.querySelector('button[name=find_customer]').addEventListener('click', function (event) {
    event.preventDefault();
    customerSearch.focus();
    customerLookup.search();
  });

  // -- the lines ---------------------------------------------------------------------------

  function overrideLimit() {
    return parseFloat(limits[shopSelect.value]);
  }

  function checkPrice(price) {
    var cell = price.closest('tr').querySelector('.override-warning');
    var list = parseFloat(price.dataset.listPrice), value = parseFloat(price.value), limit = overrideLimit();
    var pct = list > 0 && value < list ? (list - value) * 100 / list : 0;
    cell.textContent = (!isNaN(limit) && pct > limit) ? text.override.replace('{pct}', pct.toFixed(1)) : '';
  }

  function describe(row, product) {
    var price = row.querySelector('input.price');
    price.dataset.listPrice = product ? product.price : '';
    price.placeholder = product ? product.price : '';
    row.querySelector('.product').textContent = product
      ? product.name + ' · ' + product.price_display + ' · ' + product.note : '';
    checkPrice(price);
  }

  function setUpRow(row) {
    var sku = row.querySelector('input.sku'), price = row.querySelector('input.price');
    attachLookup({
      input: sku,
      list: row.querySelector('.product-results'),
      url: form.dataset.productLookup,
      minLength: 1,
      testid: 'product-option',
      render: function (li, product) {
        var code = document.createElement('strong');
        code.textContent = product.sku;
        li.appendChild(code);
        li.appendChild(document.createTextNode(' ' + product.name + ' · ' + product.price_display));
        li.appendChild(small(product.note));
      },
      choose: function (product) {
        sku.value = product.sku;
        describe(row, product);
        row.querySelector('input.qty').select();
      },
      results: function (found) {
        // A SKU typed in full describes its line without a click.
        var typed = sku.value.trim().toLowerCase();
        var exact = found.filter(function (p) { return p.sku.toLowerCase() === typed; })[0];
        describe(row, exact || null);
      }
    });
    price.addEventListener('input', function () { checkPrice(price); });
    var remove = row.querySelector('.remove-line');
    remove.hidden = false;
    remove.addEventListener('click', function () {
      row.remove();
      if (!tbody.querySelector('tr.line-row')) { addRow(); }
    });
    if (price.dataset.listPrice) { checkPrice(price); }
  }

  var nextIndex = 0;
  tbody.querySelectorAll('input.sku').forEach(function (input) {
    nextIndex = Math.max(nextIndex, parseInt(input.name.split('-')[1], 10) + 1);
  });

  function addRow() {
    if (tbody.querySelectorAll('tr.line-row').length >= maxLines) { return null; }
    var row = form.querySelector('tr.line-row');
    var fresh = row ? row.cloneNode(true) : null;
    if (!fresh) { return null; }
    var n = nextIndex++;
    fresh.className = 'line-row';
    fresh.dataset.testid = 'line-' + n;
    fresh.querySelectorAll('[name]').forEach(function (input) {
      input.name = input.name.split('-')[0] + '-' + n;
      input.value = input.classList.contains('qty') ? '1' : '';
    });
    fresh.querySelectorAll('[data-testid]').forEach(function (element) {
      element.dataset.testid = element.dataset.testid.replace(/-\d+$/, '-' + n);
    });
    fresh.querySelectorAll('.product, .override-warning, .line-errors, .product-results').forEach(function (cell) {
      cell.textContent = '';
    });
    fresh.querySelector('.product-results').hidden = true;
    var price = fresh.querySelector('input.price');
    price.dataset.listPrice = '';
    price.placeholder = '';
    tbody.appendChild(fresh);
    setUpRow(fresh);
    return fresh;
  }

  tbody.querySelectorAll('tr.line-row').forEach(setUpRow);
  form.querySelector('button[name=add_line]').addEventListener('click', function (event) {
    event.preventDefault();
    var row = addRow();
    if (row) { row.querySelector('input.sku').focus(); }
  });
  shopSelect.addEventListener('change', function () {
    // Another shop sells other products at other prices: look the typed SKUs up again.
    tbody.querySelectorAll('tr.line-row').forEach(function (row) { describe(row, null); });
  });
})();
