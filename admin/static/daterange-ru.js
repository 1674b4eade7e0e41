// The date picker of Flask-Admin (bootstrap-daterangepicker 1.3) in Russian. In list filters
// it writes dates as the firm does, "01.11.2026 — 30.11.2026" (admin/date_filters.py reads
// them); form fields keep the format their server-side field expects.
// This file loads before the picker (Flask-Admin adds it at the page's end, just before the
// filters that use it at once), so it waits for the picker to be defined and wraps it then.
// «Today» and «now» are the firm's (the page's data-offset: minutes ahead of UTC), not the
// browser's: at 23:30 in Moscow's evening a browser on UTC would still say yesterday.
(function ($) {
  "use strict";
  if (!$ || !$.fn) return;
  var me = document.currentScript;
  var offset = me ? parseInt(me.getAttribute("data-offset"), 10) : NaN;
  function firmNow() {  // the firm's wall clock, as a moment the picker reads as local
    var now = window.moment();
    if (isNaN(offset)) return now;
    return window.moment(now.clone().utcOffset(offset).format("YYYY-MM-DD HH:mm"), "YYYY-MM-DD HH:mm");
  }
  var locale = {
    applyLabel: "Применить", cancelLabel: "Отмена", fromLabel: "С", toLabel: "По",
    weekLabel: "Н", customRangeLabel: "Свой период", firstDay: 1,
    daysOfWeek: ["Вс", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"],
    monthNames: ["Янв", "Фев", "Мар", "Апр", "Май", "Июн", "Июл", "Авг", "Сен", "Окт", "Ноя", "Дек"]
  };
  var formats = {"YYYY-MM-DD": "DD.MM.YYYY", "YYYY-MM-DD HH:mm:ss": "DD.MM.YYYY HH:mm"};
  function russian(stock) {
    return function (options, cb) {
      options = $.extend({}, options || {});
      options.locale = $.extend({}, locale, options.locale || {});
      if (this.hasClass("filter-val")) {
        options.format = formats[options.format] || options.format;
        if (options.separator) options.separator = " — ";
      }
      var $el = this, blank = this.is("input") && !this.val();
      if (blank && !options.startDate && window.moment) {
        var now = firmNow();
        options.startDate = options.timePicker ? now.clone() : now.clone().startOf("day");
        options.endDate = options.timePicker ? now.clone() : now.clone().endOf("day");
      }
      var made = stock.call(this, options, cb);
      if (options.timePicker && options.singleDatePicker) {
        // Flask-Admin sets an empty date-and-time field to the browser's now when it opens;
        // the firm's now replaces it right after.
        $el.on("show.daterangepicker", function () {
          if ($el.val() !== "") return;
          setTimeout(function () {
            var now = firmNow().seconds(0), picker = $el.data("daterangepicker");
            if (picker && $el.val() === "") picker.setCustomDates(now, now);
          }, 0);
        });
      }
      return made;
    };
  }
  var wrapped = $.fn.daterangepicker ? russian($.fn.daterangepicker) : undefined;
  Object.defineProperty($.fn, "daterangepicker", {
    configurable: true,
    get: function () { return wrapped; },
    set: function (stock) { wrapped = russian(stock); }
  });
})(window.jQuery);
