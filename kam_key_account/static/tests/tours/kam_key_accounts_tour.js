import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("kam_key_accounts_tour", {
    url: "/odoo/key-accounts",
    steps: () => [
        {
            content: "The Key Accounts kanban groups accounts by tier",
            trigger: ".o_kanban_view .o_kanban_group .o_column_title:contains(Strategic)",
        },
        {
            content: "Open the account",
            trigger: ".o_kanban_record:contains(Tour Strategic Partner Co)",
            run: "click",
        },
        {
            content: "Open the Key Account tab",
            trigger: ".o_notebook .nav-link:contains(Key Account)",
            run: "click",
        },
        {
            content: "The tab shows the tier",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=kam_tier_id]:contains(Strategic)",
        },
        {
            content: "and the tier the annual sales qualify for",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=kam_qualifying_tier_id]:contains(Strategic)",
        },
    ],
});
