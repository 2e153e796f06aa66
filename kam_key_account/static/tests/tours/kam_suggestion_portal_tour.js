import { registry } from "@web/core/registry";

// G1, web: a key account's contact sends a suggestion from the portal and finds it in
// "My suggestions", thanked and waiting for its reply.
registry.category("web_tour.tours").add("kam_suggestion_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Suggestions on the portal home",
            trigger: ".o_portal_index_card a[href='/my/suggestions']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "New suggestion",
            trigger: "a.o_kam_suggestion_new",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Its category",
            trigger: "form.o_kam_suggestion_form select[name=category_id]",
            run: "selectByLabel Delivery",
        },
        {
            content: "What the customer suggests",
            trigger: "form.o_kam_suggestion_form textarea[name=content]",
            run: "edit Please label each pallet with our own part numbers.",
        },
        {
            content: "Send it",
            trigger: "form.o_kam_suggestion_form button.o_kam_suggestion_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Thanked, and the text is there",
            trigger: ".o_kam_suggestion_submitted",
        },
        {
            trigger: ".o_kam_suggestion_content:contains(Please label each pallet)",
        },
        {
            content: "Back to the list",
            trigger: ".o_portal_submenu a[href='/my/suggestions']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new suggestion is listed",
            trigger: "tr.o_kam_portal_suggestion td:contains(Delivery)",
        },
    ],
});
