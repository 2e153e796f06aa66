import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kam_development_plan_tour", {
    url: "/odoo/kam-development-plans",
    steps: () => [
        {
            content: "The approved plan is in contact with the prospect",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Contacting)) .o_kanban_record:contains(Tour Prospect Ltd)",
            run: "click",
        },
        {
            content: "It is a controlled document",
            trigger: ".o_form_view .o_field_widget[name=control_state]:contains(Controlled)",
        },
        {
            content: "Open the development record",
            trigger: ".o_notebook .nav-link:contains(D10-D11 Visits and Record)",
            run: "click",
        },
        {
            content: "The logged contact counts",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=contact_count]:contains(1)",
        },
        {
            content: "The account is won",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_win]",
            run: "click",
        },
        {
            content: "Won",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Won)",
        },
        {
            content: "Open the result",
            trigger: ".o_notebook .nav-link:contains(D12 Result)",
            run: "click",
        },
        {
            content: "A screening prefilled from the plan brings it into the key-account system",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=screening_id]:contains(Tour Prospect Ltd)",
        },
    ],
});
