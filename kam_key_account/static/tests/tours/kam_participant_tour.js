import { registry } from "@web/core/registry";

// A department responsible without any Key Accounts role finds the problem raised to them
// in My Problems, opens its visit and solves it by marking their activity done.
registry.category("web_tour.tours").add("kam_participant_solves_problem", {
    url: "/odoo/my-problems",
    steps: () => [
        {
            content: "The problem raised to me is in My Problems",
            trigger: ".o_list_view .o_data_row:contains(Tour spindle vibration) td.o_data_cell[name=description]",
            run: "click",
        },
        {
            content: "Its form: no carry over for me, I am not the visit's writer",
            trigger: ".o_form_view:not(:has(button[name=action_carry_over])) .o_field_widget[name=visit_id]:contains(Tour Participant Account)",
        },
        {
            content: "Open its visit",
            trigger: "button[name=action_open_parent]",
            run: "click",
        },
        {
            content: "The visit opens, without its budget",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=budget_amount])) .o_field_widget[name=partner_id]:contains(Tour Participant Account)",
        },
        {
            content: "My activity on the visit: mark it done",
            trigger: ".o-mail-Activity:contains(Tour spindle vibration) .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "The feedback is the resolution",
            trigger: ".o-mail-ActivityMarkAsDone textarea",
            run: "edit Rebalanced the spindle on site",
        },
        {
            trigger: ".o-mail-ActivityMarkAsDone button[aria-label=Done]",
            run: "click",
        },
        {
            content: "The activity is done",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity)) .o-mail-Message:contains(Rebalanced the spindle on site)",
        },
    ],
});
