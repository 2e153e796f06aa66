import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kam_my_approvals_tour", {
    url: "/odoo/my-approvals",
    steps: () => [
        {
            content: "My Approvals lists the screening waiting for me",
            trigger: ".o_list_view .o_data_row:contains(Tour Prospect Ltd) td.o_data_cell[name=summary]",
            run: "click",
        },
        {
            content: "The screening opens on its form, waiting for the supervisor",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Supervisor Review)",
        },
        {
            content: "Approve",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "The screening moves on to the manager",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Manager Approval)",
        },
        {
            content: "and the Approve button is gone for me",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_approve]))",
        },
    ],
});

registry.category("web_tour.tours").add("kam_gated_column_tour", {
    url: "/odoo/key-account-screenings",
    steps: () => [
        {
            content: "The card waits in Draft",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Draft)) .o_kanban_record:contains(Tour Gate Co)",
        },
        {
            content: "Drag it onto the gated Confirmed column",
            trigger: ".o_kanban_record:contains(Tour Gate Co)",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Confirmed)))",
        },
        {
            content: "The server refuses",
            trigger: ".o_notification:contains(can only be reached through approval), .modal:contains(can only be reached through approval)",
        },
        {
            content: "and the card stays put",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Draft)) .o_kanban_record:contains(Tour Gate Co)",
        },
        {
            content: "nothing landed in Confirmed",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Confirmed)):not(:has(.o_kanban_record:contains(Tour Gate Co)))",
        },
    ],
});

registry.category("web_tour.tours").add("kam_manager_confirms_tour", {
    steps: () => [
        {
            content: "The screening waits for the manager",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Manager Approval)",
        },
        {
            content: "Approve: the customer is a key account",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "Confirmed",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Confirmed)",
        },
        {
            trigger: ".o_form_view .ribbon:contains(Confirmed)",
            run: "goToUrl /odoo/key-accounts",
            expectUnloadPage: true,
        },
        {
            content: "The partner shows in the Key Accounts kanban under its new tier",
            trigger: ".o_kanban_group:has(.o_column_title:contains(Strategic)) .o_kanban_record:contains(Tour Prospect Ltd)",
        },
    ],
});
