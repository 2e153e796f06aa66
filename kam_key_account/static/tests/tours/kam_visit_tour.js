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
            content: "The customer confirms the appointment",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm_appointment]",
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
        {
            content: "Open the summary",
            trigger: ".o_notebook .nav-link:contains(V9-V10 Summary)",
            run: "click",
        },
        {
            content: "Write the lessons learned",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=lessons] textarea",
            run: "edit Bring samples next time",
        },
        {
            content: "Summarised",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_summarise]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Summarised)",
        },
        {
            content: "Back to the visits",
            trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb a:contains(Visits)",
            run: "click",
        },
        {
            content: "Switch to the calendar",
            trigger: ".o_switch_view.o_calendar",
            run: "click",
        },
        {
            content: "The visit is on the calendar",
            trigger: ".o_calendar_renderer .fc-event:contains(Tour Visit Account)",
        },
    ],
});

registry.category("web_tour.tours").add("kam_visit_approval_banner_tour", {
    steps: () => [
        {
            content: "The visit says whose approval it waits for",
            trigger: ".o_form_view .alert-info:contains(Waiting for):contains(Approval of the Budget)",
        },
        {
            content: "Its approval page lists the step",
            trigger: ".o_notebook .nav-link[name=kam_approval]",
            run: "click",
        },
        {
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=approval_review_ids] .o_data_row",
        },
        {
            content: "The supervisor approves the budget",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "and the banner is gone",
            trigger: ".o_form_view:not(:has(.alert-info:contains(Waiting for))) .o_statusbar_buttons:not(:has(button[name=action_approve]))",
        },
    ],
});
