import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kam_visit_tour", {
    url: "/odoo/key-account-visits",
    steps: () => [
        {
            content: "The planned visit waits in the Planned column",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Planned)) .o_kanban_record:contains(Tour Visit Account)",
            run: "click",
        },
        {
            content: "Book it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_book]",
            run: "click",
        },
        {
            content: "It is booked, and on the calendar",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Booked)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=event_id]:contains(Tour Visit Account)",
        },
        {
            content: "Back to the pipeline",
            trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb a:contains(Visits)",
            run: "click",
        },
        {
            content: "The card moved to Booked",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Booked)) .o_kanban_record:contains(Tour Visit Account)",
            run: "click",
        },
        {
            content: "The visit is made",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_done]",
            run: "click",
        },
        {
            content: "Done",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
    ],
});
