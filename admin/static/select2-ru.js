// select2 3.5 in Russian (Flask-Admin ships the widget without locales; no CDN).
(function ($) {
  "use strict";
  if (!$ || !$.fn || !$.fn.select2) return;
  function plural(n, one, few, many) {
    var m10 = n % 10, m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return one;
    if (m10 >= 2 && m10 <= 4 && (m100 < 10 || m100 >= 20)) return few;
    return many;
  }
  $.fn.select2.locales = $.fn.select2.locales || {};
  $.fn.select2.locales.ru = {
    formatNoMatches: function () { return "Ничего не найдено"; },
    formatInputTooShort: function (input, min) {
      var n = min - input.length;
      return "Введите ещё " + n + " " + plural(n, "символ", "символа", "символов");
    },
    formatInputTooLong: function (input, max) {
      var n = input.length - max;
      return "Уберите " + n + " " + plural(n, "символ", "символа", "символов");
    },
    formatSelectionTooBig: function (limit) {
      return "Можно выбрать не больше " + limit + " " + plural(limit, "значения", "значений", "значений");
    },
    formatLoadMore: function () { return "Загрузка…"; },
    formatSearching: function () { return "Поиск…"; },
    formatAjaxError: function () { return "Не удалось загрузить список"; }
  };
  $.extend($.fn.select2.defaults, $.fn.select2.locales.ru);
})(window.jQuery);
