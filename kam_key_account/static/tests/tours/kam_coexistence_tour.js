import { registry } from "@web/core/registry";

// A plain employee (no Key Accounts role) opens contacts of a key account: the form
// loads, shows the tier, and holds none of the key-account assessments.
registry.category("web_tour.tours").add("kam_employee_opens_contact", {
    steps: () => [
        {
            content: "The decision maker's form loads",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Tour Decision Maker)",
        },
        {
            content: "without the buying-role assessment",
            trigger: ".o_form_view:not(:has(.o_notebook .nav-link:contains(Buying Role)))",
        },
    ],
});

registry.category("web_tour.tours").add("kam_employee_opens_account", {
    steps: () => [
        {
            content: "The key account's form loads",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Tour Key Account Co.)",
        },
        {
            content: "Open the Key Account tab",
            trigger: ".o_notebook .nav-link:contains(Key Account)",
            run: "click",
        },
        {
            content: "The tab shows the tier, not the operating figures",
            trigger: ".o_notebook .tab-pane.active:has(.o_field_widget[name=kam_tier_id]:contains(Key)):not(:has(.o_field_widget[name=kam_figure_ids]))",
        },
    ],
});
