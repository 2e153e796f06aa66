import { registry } from "@web/core/registry";

// G4: write the report of the open suggestion and submit it for review.
function reportSteps() {
    return [
        {
            content: "Write the report",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_write_report]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Report)",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(Report)",
            run: "click",
        },
        {
            content: "Causes",
            trigger: ".o_form_view .o_field_widget[name=report_cause] textarea",
            run: "edit Their warehouse scans our labels by hand.",
        },
        {
            content: "Feasibility",
            trigger: ".o_form_view .o_field_widget[name=report_feasibility] textarea",
            run: "edit Our label printer takes their numbers from the order.",
        },
        {
            content: "Proposed action",
            trigger: ".o_form_view .o_field_widget[name=report_action] textarea",
            run: "edit Print their part number on every pallet label.",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Submit the report for review",
            trigger: ".o_form_view .o_form_saved .o_statusbar_buttons button[name=action_request_approval]",
            run: "click",
        },
        {
            content: "Under review by the KA manager",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Under Review)",
        },
    ];
}

// G1-G5: the account's manager records a suggestion, writes its report and submits it.
registry.category("web_tour.tours").add("kam_suggestion_record_tour", {
    url: "/odoo/kam-suggestions",
    steps: () => [
        {
            content: "New suggestion",
            trigger: ".o_control_panel .o-kanban-button-new, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "The account",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Tour Gearbox Works",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Gearbox Works)",
            run: "click",
        },
        {
            content: "Who made it",
            trigger: ".o_form_view .o_field_widget[name=contact_id] input",
            run: "edit Wang Fang",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Wang Fang)",
            run: "click",
        },
        {
            content: "What the customer suggests",
            trigger: ".o_form_view .o_field_widget[name=content] textarea",
            run: "edit Label every pallet with our part numbers.",
        },
        {
            content: "Save: the customer is thanked",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: a reference and a reply deadline",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(SUG/)",
        },
        ...reportSteps(),
    ],
});

// G5-G7: the KA manager approves the report; the supervisor builds the summary from the
// list and sends it to the departments.
registry.category("web_tour.tours").add("kam_suggestion_review_tour", {
    url: "/odoo/kam-suggestions",
    steps: () => [
        {
            content: "The suggestion waits for my review",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Under Review)) .o_kanban_record:contains(Tour Gearbox Works)",
            run: "click",
        },
        {
            content: "Approve the report",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "Reviewed",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Reviewed)",
        },
    ],
});

registry.category("web_tour.tours").add("kam_suggestion_summary_tour", {
    url: "/odoo/kam-suggestions?view_type=list",
    steps: () => [
        {
            content: "Select the reviewed suggestion",
            trigger: ".o_list_view .o_data_row:contains(Tour Gearbox Works) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Actions",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Build Summary",
            trigger: ".o-dropdown-item:contains(Build Summary)",
            run: "click",
        },
        {
            content: "The summary's title",
            trigger: ".modal .o_field_widget[name=title] input",
            run: "edit Tour labelling suggestions",
        },
        {
            content: "The suggestion is in it",
            trigger: ".modal .o_field_widget[name=suggestion_ids] .o_data_row:contains(Tour Gearbox Works)",
        },
        {
            trigger: ".modal button[name=action_build]",
            run: "click",
        },
        {
            content: "Send it to the departments",
            trigger: ".o_form_view .o_field_widget[name=title]:contains(Tour labelling suggestions), .o_form_view .o_field_widget[name=title] input",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_send_to_departments]",
            run: "click",
        },
        {
            content: "With the departments, who are asked for their opinions",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Departments)",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(Opinions)",
            run: "click",
        },
        {
            content: "one opinion line per department concerned",
            trigger: ".o_form_view .o_field_widget[name=opinion_ids] .o_data_row:contains(Tour Logistics)",
        },
    ],
});

// G10: approved by the director and the general manager, the owner sends the feedback form.
registry.category("web_tour.tours").add("kam_suggestion_reply_tour", {
    url: "/odoo/kam-suggestions",
    steps: () => [
        {
            content: "The suggestion is carried out",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Execution)) .o_kanban_record:contains(Tour Gearbox Works)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(Reply)",
            run: "click",
        },
        {
            content: "Our reply",
            trigger: ".o_form_view .o_field_widget[name=reply] textarea",
            run: "edit From next month every pallet label carries your part number.",
        },
        {
            content: "Send the feedback form",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_send_feedback]",
            run: "click",
        },
        {
            content: "The composer, with the template and the form attached",
            trigger: ".modal .o_mail_composer_form_view .o_field_widget[name=subject] input",
        },
        {
            trigger: ".modal button[name=action_send_mail]",
            run: "click",
        },
        {
            content: "Replied",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Replied)",
        },
    ],
});

// G1 by e-mail: the account's manager opens the suggestion the customer mailed to the
// alias (thanked already) and carries it on.
registry.category("web_tour.tours").add("kam_suggestion_mail_tour", {
    url: "/odoo/kam-suggestions",
    steps: () => [
        {
            content: "The mailed suggestion, new on the account",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Received)) .o_kanban_record:contains(Pallet labels):contains(Tour Gearbox Works)",
            run: "click",
        },
        {
            content: "Received by e-mail, from the contact",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(SUG/)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=contact_id] input:value(Wang Fang)",
        },
        {
            content: "The customer's e-mail is in the chatter",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Wang Fang)",
        },
        ...reportSteps(),
    ],
});
