import { registry } from "@web/core/registry";

// A KAM user finds a customer the books qualify for the Key tier and screens it in one click.
registry.category("web_tour.tours").add("kam_candidate_screening_tour", {
    url: "/odoo/kam-candidates",
    steps: () => [
        {
            content: "The candidate is listed with its qualifying tier",
            trigger: ".o_list_view .o_data_row:contains(Tour Candidate Co.):contains(Key)",
        },
        {
            content: "Screen it",
            trigger: ".o_list_view .o_data_row:contains(Tour Candidate Co.) button[name=action_open_screening]",
            run: "click",
        },
        {
            content: "A new screening of the candidate, its sales basis from the books",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Tour Candidate Co.)",
        },
        {
            content: "and the tier those sales propose",
            trigger: ".o_form_view .o_field_widget[name=proposed_tier_id] input:value(Key)",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});
