import { registry } from "@web/core/registry";

// A team member requests a technical seminar with special payment terms (R3-R5).
registry.category("web_tour.tours").add("kam_service_request_tour", {
    url: "/odoo/kam-service-requests",
    steps: () => [
        {
            content: "New request",
            trigger: ".o_control_panel .o-kanban-button-new, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "The account",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Tour Servo Works",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Servo Works)",
            run: "click",
        },
        {
            content: "A technical seminar",
            trigger: ".o_form_view .o_field_widget[name=type_ids] input",
            run: "edit Technical Seminar",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Technical Seminar)",
            run: "click",
        },
        {
            content: "with special payment terms",
            trigger: ".o_form_view .o_field_widget[name=type_ids] input",
            run: "edit Special Payment Terms",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Special Payment Terms)",
            run: "click",
        },
        {
            content: "What is asked for",
            trigger: ".o_form_view .o_field_widget[name=content] textarea",
            run: "edit A servo tuning seminar for their engineers; the pilot order on 90-day terms.",
        },
        {
            content: "The payment terms the special terms require",
            trigger: ".o_form_view .o_field_widget[name=payment_terms] textarea",
            run: "edit 90 days end of month",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: a reference",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(SRV/)",
        },
        {
            content: "Request approval",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_request_approval]",
            run: "click",
        },
        {
            content: "Under review",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Under Review)",
        },
    ],
});

// Once approved by the supervisor, the manager and the General Manager: on the calendar.
registry.category("web_tour.tours").add("kam_service_calendar_tour", {
    url: "/odoo/kam-service-requests",
    steps: () => [
        {
            content: "The request is approved",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Approved)) .o_kanban_record:contains(Tour Servo Works)",
            run: "click",
        },
        {
            content: "Controlled, with every opinion",
            trigger: ".o_form_view .o_field_widget[name=control_state]:contains(Controlled)",
        },
        {
            content: "Its events",
            trigger: ".o_form_view button[name=action_open_events]",
            run: "click",
        },
        {
            content: "On the calendar of service events",
            trigger: ".o_calendar_view .fc-event:contains(Servo tuning seminar)",
            run: "click",
        },
        {
            content: "with the customer's technical head invited",
            trigger: ".o_popover:contains(Sun Li)",
        },
    ],
});
